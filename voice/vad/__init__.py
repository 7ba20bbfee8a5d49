"""Voice-activity detection: the gate that lets only the caller's speech through to the recogniser."""
