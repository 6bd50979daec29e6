#include <unistd.h>

#include "compat/os.h"
#include "check/context.h"

static _Thread_local wmiemu__check_frame_t *current_frame;

void wmiemu__check_enter(wmiemu__check_frame_t *frame, const char *call, const char *provider) {
  frame->call = call;
  frame->provider = provider;
  frame->outer = current_frame;
  current_frame = frame;
}

void wmiemu__check_leave(wmiemu__check_frame_t *frame) {
  current_frame = frame->outer;
}

const wmiemu__check_frame_t *wmiemu__check_current(void) {
  return current_frame;
}

/* Cached: Indicate records the producer thread on every call. */
static _Thread_local unsigned long thread_id;

unsigned long wmiemu__check_thread_id(void) {
  if (!thread_id)
    thread_id = wmiemu__os_thread_id();
  return thread_id;
}
