/*
 * The provider-side ABI as docs/contract.md#interfaces states it (the Windows SDK's
 * order): every IID, and every method's vtable slot
 * (offsetof(IFooVtbl, Method) / sizeof(void *)), plus the vtable size, so a
 * method added, dropped or reordered fails. The expected values are written
 * out from the contract, not taken from the headers under test. Included by
 * test_abi.c (our widl-generated headers, on the build machine) and by
 * abi_windows.c (MinGW-w64's SDK headers, run under wine), so both header
 * sets are held to the same table. Include <windows.h> and <wbemidl.h> first.
 */
#ifndef TESTS_ABI_TABLE_H
#define TESTS_ABI_TABLE_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *method;
    size_t slot;     /* from the header */
    size_t expected; /* from the contract */
} slot_t;

typedef struct {
    const char *name;
    const IID *iid;
    const char *iid_text; /* as the contract writes it */
    size_t vtbl_size;
    size_t n_methods;
    const slot_t *slots;
} iface_t;

#define SLOT(iface, m, n) { #m, offsetof(iface##Vtbl, m) / sizeof(void *), n }
#define IUNKNOWN_SLOTS(iface) SLOT(iface, QueryInterface, 0), SLOT(iface, AddRef, 1), SLOT(iface, Release, 2)
#define IFACE(iface, text, slots) \
    { #iface, &IID_##iface, text, sizeof(iface##Vtbl), sizeof(slots) / sizeof(slots[0]), slots }

static const slot_t slots_provider_init[] = { IUNKNOWN_SLOTS(IWbemProviderInit), SLOT(IWbemProviderInit, Initialize, 3) };
static const slot_t slots_provider_init_sink[] = { IUNKNOWN_SLOTS(IWbemProviderInitSink), SLOT(IWbemProviderInitSink, SetStatus, 3) };
static const slot_t slots_event_provider[] = { IUNKNOWN_SLOTS(IWbemEventProvider), SLOT(IWbemEventProvider, ProvideEvents, 3) };
static const slot_t slots_query_sink[] = {
    IUNKNOWN_SLOTS(IWbemEventProviderQuerySink),
    SLOT(IWbemEventProviderQuerySink, NewQuery, 3),
    SLOT(IWbemEventProviderQuerySink, CancelQuery, 4),
};
static const slot_t slots_provider_security[] = {
    IUNKNOWN_SLOTS(IWbemEventProviderSecurity), SLOT(IWbemEventProviderSecurity, AccessCheck, 3),
};
static const slot_t slots_provider_identity[] = {
    IUNKNOWN_SLOTS(IWbemProviderIdentity), SLOT(IWbemProviderIdentity, SetRegistrationObject, 3),
};
static const slot_t slots_object_sink[] = {
    IUNKNOWN_SLOTS(IWbemObjectSink), SLOT(IWbemObjectSink, Indicate, 3), SLOT(IWbemObjectSink, SetStatus, 4),
};
static const slot_t slots_event_sink[] = {
    IUNKNOWN_SLOTS(IWbemEventSink),
    SLOT(IWbemEventSink, Indicate, 3),
    SLOT(IWbemEventSink, SetStatus, 4),
    SLOT(IWbemEventSink, SetSinkSecurity, 5),
    SLOT(IWbemEventSink, IsActive, 6),
    SLOT(IWbemEventSink, GetRestrictedSink, 7),
    SLOT(IWbemEventSink, SetBatchingParameters, 8),
};
static const slot_t slots_shutdown[] = { IUNKNOWN_SLOTS(IWbemShutdown), SLOT(IWbemShutdown, Shutdown, 3) };
static const slot_t slots_decoupled_registrar[] = {
    IUNKNOWN_SLOTS(IWbemDecoupledRegistrar),
    SLOT(IWbemDecoupledRegistrar, Register, 3),
    SLOT(IWbemDecoupledRegistrar, UnRegister, 4),
};
static const slot_t slots_decoupled_basic[] = {
    IUNKNOWN_SLOTS(IWbemDecoupledBasicEventProvider),
    SLOT(IWbemDecoupledBasicEventProvider, Register, 3),
    SLOT(IWbemDecoupledBasicEventProvider, UnRegister, 4),
    SLOT(IWbemDecoupledBasicEventProvider, GetSink, 5),
    SLOT(IWbemDecoupledBasicEventProvider, GetService, 6),
};
static const slot_t slots_services[] = {
    IUNKNOWN_SLOTS(IWbemServices),
    SLOT(IWbemServices, OpenNamespace, 3),
    SLOT(IWbemServices, CancelAsyncCall, 4),
    SLOT(IWbemServices, QueryObjectSink, 5),
    SLOT(IWbemServices, GetObject, 6),
    SLOT(IWbemServices, GetObjectAsync, 7),
    SLOT(IWbemServices, PutClass, 8),
    SLOT(IWbemServices, PutClassAsync, 9),
    SLOT(IWbemServices, DeleteClass, 10),
    SLOT(IWbemServices, DeleteClassAsync, 11),
    SLOT(IWbemServices, CreateClassEnum, 12),
    SLOT(IWbemServices, CreateClassEnumAsync, 13),
    SLOT(IWbemServices, PutInstance, 14),
    SLOT(IWbemServices, PutInstanceAsync, 15),
    SLOT(IWbemServices, DeleteInstance, 16),
    SLOT(IWbemServices, DeleteInstanceAsync, 17),
    SLOT(IWbemServices, CreateInstanceEnum, 18),
    SLOT(IWbemServices, CreateInstanceEnumAsync, 19),
    SLOT(IWbemServices, ExecQuery, 20),
    SLOT(IWbemServices, ExecQueryAsync, 21),
    SLOT(IWbemServices, ExecNotificationQuery, 22),
    SLOT(IWbemServices, ExecNotificationQueryAsync, 23),
    SLOT(IWbemServices, ExecMethod, 24),
    SLOT(IWbemServices, ExecMethodAsync, 25),
};
static const slot_t slots_class_object[] = {
    IUNKNOWN_SLOTS(IWbemClassObject),
    SLOT(IWbemClassObject, GetQualifierSet, 3),
    SLOT(IWbemClassObject, Get, 4),
    SLOT(IWbemClassObject, Put, 5),
    SLOT(IWbemClassObject, Delete, 6),
    SLOT(IWbemClassObject, GetNames, 7),
    SLOT(IWbemClassObject, BeginEnumeration, 8),
    SLOT(IWbemClassObject, Next, 9),
    SLOT(IWbemClassObject, EndEnumeration, 10),
    SLOT(IWbemClassObject, GetPropertyQualifierSet, 11),
    SLOT(IWbemClassObject, Clone, 12),
    SLOT(IWbemClassObject, GetObjectText, 13),
    SLOT(IWbemClassObject, SpawnDerivedClass, 14),
    SLOT(IWbemClassObject, SpawnInstance, 15),
    SLOT(IWbemClassObject, CompareTo, 16),
    SLOT(IWbemClassObject, GetPropertyOrigin, 17),
    SLOT(IWbemClassObject, InheritsFrom, 18),
    SLOT(IWbemClassObject, GetMethod, 19),
    SLOT(IWbemClassObject, PutMethod, 20),
    SLOT(IWbemClassObject, DeleteMethod, 21),
    SLOT(IWbemClassObject, BeginMethodEnumeration, 22),
    SLOT(IWbemClassObject, NextMethod, 23),
    SLOT(IWbemClassObject, EndMethodEnumeration, 24),
    SLOT(IWbemClassObject, GetMethodQualifierSet, 25),
    SLOT(IWbemClassObject, GetMethodOrigin, 26),
};

static const iface_t interfaces[] = {
    IFACE(IWbemProviderInit, "1be41572-91dd-11d1-aeb2-00c04fb68820", slots_provider_init),
    IFACE(IWbemProviderInitSink, "1be41571-91dd-11d1-aeb2-00c04fb68820", slots_provider_init_sink),
    IFACE(IWbemEventProvider, "e245105b-b06e-11d0-ad61-00c04fd8fdff", slots_event_provider),
    IFACE(IWbemEventProviderQuerySink, "580acaf8-fa1c-11d0-ad72-00c04fd8fdff", slots_query_sink),
    IFACE(IWbemEventProviderSecurity, "631f7d96-d993-11d2-b339-00105a1f4aaf", slots_provider_security),
    IFACE(IWbemProviderIdentity, "631f7d97-d993-11d2-b339-00105a1f4aaf", slots_provider_identity),
    IFACE(IWbemObjectSink, "7c857801-7381-11cf-884d-00aa004b2e24", slots_object_sink),
    IFACE(IWbemEventSink, "3ae0080a-7e3a-4366-bf89-0feedc931659", slots_event_sink),
    IFACE(IWbemShutdown, "b7b31df9-d515-11d3-a11c-00105a1f515a", slots_shutdown),
    IFACE(IWbemDecoupledRegistrar, "1005cbcf-e64f-4646-bcd3-3a089d8a84b4", slots_decoupled_registrar),
    IFACE(IWbemDecoupledBasicEventProvider, "86336d20-ca11-4786-9ef1-bc8a946b42fc", slots_decoupled_basic),
    IFACE(IWbemServices, "9556dc99-828c-11cf-a37e-00aa003240c7", slots_services),
    IFACE(IWbemClassObject, "dc12a681-737f-11cf-884d-00aa004b2e24", slots_class_object),
};

#define N_INTERFACES (sizeof interfaces / sizeof interfaces[0])

/* Checks one interface against the contract; on a difference writes what
 * differs to why and returns 0. */
static int abi_check_interface(const iface_t *it, char *why, size_t size)
{
    unsigned d1, d2, d3, b[8];
    int n = sscanf(it->iid_text, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &d1, &d2, &d3, &b[0], &b[1],
                   &b[2], &b[3], &b[4], &b[5], &b[6], &b[7]);
    if (n != 11) {
        snprintf(why, size, "%s: unreadable IID text %s", it->name, it->iid_text);
        return 0;
    }
    GUID expected = { d1, (WORD)d2, (WORD)d3, { 0 } };
    for (int i = 0; i < 8; i++)
        expected.Data4[i] = (BYTE)b[i];
    if (memcmp(it->iid, &expected, sizeof expected)) {
        snprintf(why, size, "%s: IID differs from %s", it->name, it->iid_text);
        return 0;
    }
    for (size_t i = 0; i < it->n_methods; i++) {
        const slot_t *s = &it->slots[i];
        if (s->slot != s->expected) {
            snprintf(why, size, "%s::%s is in slot %zu, the contract says %zu", it->name, s->method,
                     (size_t)s->slot, (size_t)s->expected);
            return 0;
        }
    }
    /* No methods beyond the ones listed. */
    if (it->vtbl_size != it->n_methods * sizeof(void *)) {
        snprintf(why, size, "%s: the vtable has %zu slots, the contract %zu", it->name,
                 (size_t)(it->vtbl_size / sizeof(void *)), (size_t)it->n_methods);
        return 0;
    }
    return 1;
}

#endif
