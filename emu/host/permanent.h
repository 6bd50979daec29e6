#ifndef WMIEMU_HOST_PERMANENT_H
#define WMIEMU_HOST_PERMANENT_H

/* Permanent subscriptions (permanent.c) and the standard consumers that
 * receive their events (consumer_*.c). Loop thread only. */

#include "host/host_int.h"

#include <stdio.h>

typedef enum {
  WMIEMU__CONSUMER_LOGFILE,
  WMIEMU__CONSUMER_COMMAND,
  WMIEMU__CONSUMER_JSON,
  WMIEMU__CONSUMER_PROVIDER,  /* a consumer provider's class (consumer_provider.c) */
} wmiemu__consumer_kind_t;

typedef struct wmiemu__conprov_s wmiemu__conprov_t;

/* One logical consumer: the settings of its instance, read when the
 * binding starts, and what delivering to it has cost. */
typedef struct {
  wmiemu__consumer_kind_t kind;
  char *file;                 /* LogFile, JsonLines: Filename */
  WCHAR *text;                /* LogFile: Text; Command: CommandLineTemplate */
  WCHAR *executable;          /* Command: ExecutablePath, NULL when none */
  char *directory;            /* Command: WorkingDirectory, NULL when none */
  uint64_t max_size;          /* LogFile: MaximumFileSize, 0 = no limit */
  uint32_t kill_timeout_s;    /* Command: KillTimeout, 0 = the host's bound */
  FILE *out;                  /* opened at the first event */
  wmiemu__conprov_t *provider; /* Provider: the logical consumer's sink */
  uint64_t consumed, failures, commands;
  int last_exit_status;
  char error[256];            /* the last failure */
} wmiemu__consumer_t;

/* The longest a command may run when its KillTimeout is 0 (seconds). */
#define WMIEMU__COMMAND_DEFAULT_TIMEOUT_S 30

/* consumer_template.c: expands a standard string template
 * (%Prop%, %Emb.Prop%, %%) against event; malloc'd UTF-8, NULL when out
 * of memory. */
char *wmiemu__template_expand(const WCHAR *tmpl, IWbemClassObject *event);

/* consumer_json.c: obj as one JSON object, the form `wmiemu run` prints:
 * {"class":"C","properties":{...}}, no newline. */
void wmiemu__json_write_object(FILE *out, IWbemClassObject *obj);

/* consumer_logfile.c / consumer_json.c / consumer_command.c: one event to
 * one consumer; S_OK, or a failure described in c->error. */
HRESULT wmiemu__consumer_logfile(wmiemu__consumer_t *c, IWbemClassObject *event);
HRESULT wmiemu__consumer_json(wmiemu__consumer_t *c, IWbemClassObject *event);
HRESULT wmiemu__consumer_command(wmiemu__consumer_t *c, IWbemClassObject *event);

/* consumer_provider.c: the sink of the logical consumer `consumer` of ns,
 * shared among the bindings naming it (*all lists them): on first use the
 * consumer provider whose __EventConsumerProviderRegistration names its
 * class is activated and FindConsumer called. S_FALSE when no registration
 * names its class; an error with err set when the provider cannot serve it. */
HRESULT wmiemu__conprov_open(wmiemu_host_t *host, wmiemu__conprov_t **all, const WCHAR *ns,
                             IWbemClassObject *consumer, wmiemu__conprov_t **out, char *err, size_t size);
/* IndicateToConsumer(logical consumer, 1, &event); its HRESULT, err set
 * when it failed. */
HRESULT wmiemu__conprov_deliver(wmiemu__conprov_t *c, IWbemClassObject *event, char *err, size_t size);
/* A binding is done with c: the last one releases the sink, and the
 * provider when nothing else uses it. */
void wmiemu__conprov_close(wmiemu__conprov_t **all, wmiemu__conprov_t *c);

/* permanent.c, from repo_events.c: an instance of an __IndicationRelated
 * class was stored or deleted in ns. */
void wmiemu__permanent_put(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst);
void wmiemu__permanent_delete(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst);
/* host.c: at wmiemu_host_shutdown, before the providers' final release:
 * the consumer providers' sinks are released. */
void wmiemu__permanent_shutdown(wmiemu_host_t *host);
/* host.c: at wmiemu_host_free. */
void wmiemu__permanent_free(wmiemu_host_t *host);

#endif
