// One alarm per Durable Object, many users of it: everyone arms "no later than" their own deadline and
// re-checks their own deadlines whenever the alarm fires, so uses compose and an early wake-up is harmless.

/** Sets the object's alarm to `at` unless it is already due sooner. */
export async function armAlarmNoLaterThan(storage: DurableObjectStorage, at: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > at) await storage.setAlarm(at);
}
