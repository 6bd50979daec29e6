#ifndef WMIEMU_CHECK_CONTEXT_H
#define WMIEMU_CHECK_CONTEXT_H

/* Which WMI call the current thread is servicing: the host marks entry and
 * exit of every call into the provider so that violations committed on that
 * thread name the call. */

typedef struct wmiemu__check_frame_s wmiemu__check_frame_t;
struct wmiemu__check_frame_s {
  const char *call;                  /* "NewQuery", ... */
  const char *provider;              /* provider name */
  wmiemu__check_frame_t *outer;
};

/* Pushes frame on this thread's stack (frame lives on the caller's stack). */
void wmiemu__check_enter(wmiemu__check_frame_t *frame, const char *call, const char *provider);
void wmiemu__check_leave(wmiemu__check_frame_t *frame);
/* Innermost frame of this thread, or NULL outside any WMI call. */
const wmiemu__check_frame_t *wmiemu__check_current(void);

unsigned long wmiemu__check_thread_id(void);

#endif
