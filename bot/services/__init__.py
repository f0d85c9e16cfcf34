"""The service layer: what the assistant does, whatever the channel.

`Services` (the services of this process, built by `bot.bootstrap`), the assistant's one message path
(`assistant`), the operations (`operations`), the account check (`diagnosis`), the support desk (`desk`)
and the relay of messages sent outside a reply (`relay`). Channels call it; it calls core and the ports.
"""

from bot.services.container import Clock, Services, freeze_schedule, system_clock, tenant_facts

__all__ = ["Clock", "Services", "freeze_schedule", "system_clock", "tenant_facts"]
