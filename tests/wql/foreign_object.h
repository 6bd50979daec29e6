/* An IWbemClassObject that is not the library's own: it forwards every
 * method to an object of ours, so the evaluator must take its COM path
 * (Get and VARIANTs) where it reads our objects directly. */
#ifndef WQL_TEST_FOREIGN_OBJECT_H
#define WQL_TEST_FOREIGN_OBJECT_H

#include <wbemcli.h>

/* Takes a reference to inner; NULL when out of memory. */
IWbemClassObject *foreign_object_wrap(IWbemClassObject *inner);

#endif
