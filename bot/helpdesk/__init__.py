"""The helpdesk the agents already use (GLPI, Zammad): one port (`port.TicketSystem`), one thin adapter each.

`bot.services.helpdesk_sync` keeps a local ticket and its twin there in step; `signatures` verifies their webhooks.
"""
