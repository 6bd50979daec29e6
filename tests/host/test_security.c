/* The security-descriptor reader behind WBEM_S_SUBJECT_TO_SDS: grants,
 * denials, order of entries, and malformed descriptors (an error naming
 * the defect, never a read past the buffer). */
#include "host/host_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/security_descriptor.h"

#define SUBSCRIBE 0x40

static const BYTE everyone[12] = { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
static const BYTE alice[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xe9, 3, 0, 0 };
static const BYTE bob[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xea, 3, 0, 0 };

static void put16(BYTE *p, unsigned v) { p[0] = (BYTE)v; p[1] = (BYTE)(v >> 8); }
static void put32(BYTE *p, DWORD v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

static BOOL grants(const BYTE *sd, size_t len, const BYTE *sid, size_t sid_len) {
  BOOL g = 2;
  const char *why = "unset";
  assert_hr(wmiemu__sd_grants(sd, len, sid, sid_len, SUBSCRIBE, &g, &why), S_OK);
  assert_null(why);
  return g;
}

static void test_grants_and_denials(void **state) {
  BYTE sd[256];
  size_t len;
  (void)state;
  /* Everyone may subscribe: anybody, SID or not. */
  const fixture_ace_t open[] = { { 0, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, open, 1);
  assert_true(grants(sd, len, NULL, 0));
  assert_true(grants(sd, len, alice, sizeof(alice)));
  /* Alice only. */
  const fixture_ace_t only_alice[] = { { 0, 0, SUBSCRIBE | 1, alice, sizeof(alice) } };
  len = fixture_build_sd(sd, only_alice, 1);
  assert_true(grants(sd, len, alice, sizeof(alice)));
  assert_false(grants(sd, len, bob, sizeof(bob)));
  assert_false(grants(sd, len, NULL, 0));          /* a consumer without a SID */
  /* A right other than WBEM_RIGHT_SUBSCRIBE is not enough. */
  const fixture_ace_t publish[] = { { 0, 0, 0x80, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, publish, 1);
  assert_false(grants(sd, len, alice, sizeof(alice)));
  /* Order decides: deny before allow refuses, allow before deny grants. */
  const fixture_ace_t deny_first[] = { { 1, 0, SUBSCRIBE, alice, sizeof(alice) }, { 0, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, deny_first, 2);
  assert_false(grants(sd, len, alice, sizeof(alice)));
  assert_true(grants(sd, len, bob, sizeof(bob)));
  const fixture_ace_t allow_first[] = { { 0, 0, SUBSCRIBE, alice, sizeof(alice) }, { 1, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, allow_first, 2);
  assert_true(grants(sd, len, alice, sizeof(alice)));
  assert_false(grants(sd, len, bob, sizeof(bob)));
  /* Inherit-only entries and unknown types do not apply. */
  const fixture_ace_t inherit[] = { { 0, 0x08, SUBSCRIBE, everyone, sizeof(everyone) }, { 9, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, inherit, 2);
  assert_false(grants(sd, len, alice, sizeof(alice)));
  /* Empty DACL: nobody. */
  len = fixture_build_sd(sd, NULL, 0);
  assert_false(grants(sd, len, alice, sizeof(alice)));
  /* No DACL at all: everybody. */
  put16(sd + 2, 0x8000);
  assert_true(grants(sd, len, NULL, 0));
  put16(sd + 2, 0x8004);
  put32(sd + 16, 0);                               /* NULL DACL */
  assert_true(grants(sd, len, NULL, 0));
}

static void expect_malformed(const BYTE *sd, size_t len, const char *what) {
  BOOL g = TRUE;
  const char *why = NULL;
  assert_hr(wmiemu__sd_grants(sd, len, alice, sizeof(alice), SUBSCRIBE, &g, &why), WBEM_E_INVALID_PARAMETER);
  assert_false(g);
  assert_non_null(why);
  assert_non_null(strstr(why, what));
}

static void test_malformed(void **state) {
  const fixture_ace_t one[] = { { 0, 0, SUBSCRIBE, alice, sizeof(alice) } };
  BYTE good[256], sd[256];
  size_t len, cut;
  BOOL g;
  const char *why;
  (void)state;
  len = fixture_build_sd(good, one, 1);
  expect_malformed(NULL, 0, "header");
  expect_malformed(good, 19, "header");
  memcpy(sd, good, len); sd[0] = 2;
  expect_malformed(sd, len, "revision");
  memcpy(sd, good, len); put16(sd + 2, 0x0004);
  expect_malformed(sd, len, "self-relative");
  memcpy(sd, good, len); put32(sd + 16, 0xfffffff0u);
  expect_malformed(sd, len, "DACL offset");
  memcpy(sd, good, len); put32(sd + 16, 4);
  expect_malformed(sd, len, "DACL offset");
  memcpy(sd, good, len); sd[20] = 7;
  expect_malformed(sd, len, "DACL revision");
  memcpy(sd, good, len); put16(sd + 22, 4000);
  expect_malformed(sd, len, "DACL size");
  memcpy(sd, good, len); put16(sd + 24, 2);       /* claims a second ACE */
  expect_malformed(sd, len, "ACE header");
  memcpy(sd, good, len); put16(sd + 30, 2);       /* ACE size below its header */
  expect_malformed(sd, len, "ACE size");
  memcpy(sd, good, len); put16(sd + 30, 900);
  expect_malformed(sd, len, "ACE size");
  memcpy(sd, good, len); sd[37] = 15;             /* SID claims 15 sub-authorities */
  expect_malformed(sd, len, "ACE SID");
  memcpy(sd, good, len); sd[36] = 3;              /* SID revision */
  expect_malformed(sd, len, "ACE SID");
  /* Every truncation of a good descriptor is an error or an answer, read
   * within bounds (ASan checks the copies exactly sized). */
  for (cut = 0; cut < len; cut++) {
    BYTE *copy = malloc(cut ? cut : 1);
    memcpy(copy, good, cut);
    g = TRUE;
    assert_hr(wmiemu__sd_grants(copy, cut, alice, sizeof(alice), SUBSCRIBE, &g, &why), WBEM_E_INVALID_PARAMETER);
    assert_false(g);
    free(copy);
  }
  /* A malformed consumer SID. */
  assert_hr(wmiemu__sd_grants(good, len, alice, 15, SUBSCRIBE, &g, &why), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__sd_grants(good, len, alice, sizeof(alice), SUBSCRIBE, NULL, &why), WBEM_E_INVALID_PARAMETER);
  assert_true(wmiemu__sid_valid(alice, sizeof(alice)));
  assert_false(wmiemu__sid_valid(alice, 8));
  assert_false(wmiemu__sid_valid(NULL, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_grants_and_denials),
    cmocka_unit_test(test_malformed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
