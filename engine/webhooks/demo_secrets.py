"""The signing secrets of the embedded demo's webhook sources (`make run` exports them when unset).

They are public (they are in this repository), so outside the demo (VB_DEMO) a source configured with one
stops the start (`route_files.check_secrets`). `python -m engine.webhooks.demo_secrets` prints the shell lines
the Makefile evaluates."""

from __future__ import annotations

DEMO_SECRETS = {
    "VB_WEBHOOK_SECRET_POLITIE": "whsec_ZGVtby1vbmx5LXBvbGl0aWUtbm90LWZvci1wcm9kdWN0aW9u",
    "VB_WEBHOOK_SECRET_OM": "whsec_ZGVtby1vbmx5LW9tLW5vdC1mb3ItcHJvZHVjdGlvbg==",
    "VB_WEBHOOK_SECRET_IVP": "whsec_ZGVtby1vbmx5LWl2cC1ub3QtZm9yLXByb2R1Y3Rpb24=",
    "VB_WEBHOOK_SECRET_BZK": "whsec_ZGVtby1vbmx5LWJ6ay1ub3QtZm9yLXByb2R1Y3Rpb24=",
}

if __name__ == "__main__":
    for name, value in DEMO_SECRETS.items():
        print(f'export {name}="${{{name}:-{value}}}";')
