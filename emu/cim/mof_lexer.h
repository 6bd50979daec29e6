#ifndef WMIEMU_CIM_MOF_LEXER_H
#define WMIEMU_CIM_MOF_LEXER_H

/* MOF tokens. The source is UTF-8; positions are 1-based lines and byte
 * columns. Keywords are identifiers (MOF keywords are case-insensitive). */

#include <stddef.h>
#include <windows.h>

typedef enum {
  MOF_T_EOF,
  MOF_T_IDENT,
  MOF_T_INT,
  MOF_T_REAL,
  MOF_T_STRING,
  MOF_T_CHAR,
  MOF_T_ALIAS,     /* $name: text holds name without '$' */
  MOF_T_PUNCT      /* one of { } [ ] ( ) ; , : = # */
} wmiemu__mof_tok_kind_t;

typedef struct {
  wmiemu__mof_tok_kind_t kind;
  unsigned line, col;
  const char *text;       /* raw token text in the source */
  size_t len;
  char punct;
  UINT64 mag;             /* MOF_T_INT: magnitude */
  BOOL neg;               /* MOF_T_INT: had a '-' sign */
  double real;            /* MOF_T_REAL */
  WCHAR *str;             /* MOF_T_STRING / MOF_T_CHAR: decoded (malloc'd, owned by the lexer) */
  size_t str_len;
} wmiemu__mof_tok_t;

typedef struct {
  const char *src, *p, *end;
  unsigned line;
  const char *line_start;
  /* error */
  HRESULT hr;
  unsigned err_line, err_col;
  char err[256];
} wmiemu__mof_lexer_t;

void wmiemu__mof_lexer_init(wmiemu__mof_lexer_t *lx, const char *src, size_t len);
/* Reads the next token into tok (freeing the previous tok->str). Returns
 * FALSE with lx->hr/err set on a lexical error. */
BOOL wmiemu__mof_lex(wmiemu__mof_lexer_t *lx, wmiemu__mof_tok_t *tok);
void wmiemu__mof_tok_free(wmiemu__mof_tok_t *tok);
/* TRUE when tok is the identifier kw (ASCII, case-insensitive). */
BOOL wmiemu__mof_tok_is(const wmiemu__mof_tok_t *tok, const char *kw);

#endif
