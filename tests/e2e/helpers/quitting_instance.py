"""A stand-in for a Herald that is quitting: it owns the single-instance D-Bus name given as
the first argument and, when a new launch hands over to it, exits without answering (what
a real Herald does when the handover arrives mid-exit). Prints "ready" once it owns the
name; exits 0 when it was asked, 3 when nobody asked within a minute.

Run by tests/e2e/tests/desktop.rs with tests/.venv's Python (dbus-next, scripts/setup.sh).
"""

import asyncio
import os
import sys

from dbus_next.aio import MessageBus
from dbus_next.constants import RequestNameReply
from dbus_next.service import ServiceInterface, method


class Quitting(ServiceInterface):
    def __init__(self):
        super().__init__("org.SingleInstance.DBus")

    @method()
    def ExecuteCallback(self, args: "as", cwd: "s"):  # noqa: F821 (D-Bus signature)
        os._exit(0)


async def main(name):
    bus = await MessageBus().connect()
    bus.export("/" + name.replace(".", "/").replace("-", "_"), Quitting())
    reply = await bus.request_name(name)
    if reply != RequestNameReply.PRIMARY_OWNER:
        print(f"could not own {name}: {reply}", flush=True)
        sys.exit(2)
    print("ready", flush=True)
    await asyncio.sleep(60)
    sys.exit(3)


asyncio.run(main(sys.argv[1]))
