"""Personal data: masked in logs and exports, deleted after the retention period or on request."""
