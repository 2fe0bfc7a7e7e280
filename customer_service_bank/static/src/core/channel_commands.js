import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

registry.category("discuss.channel_commands").add("complaint", {
    channel_types: ["livechat"],
    help: _t("Register this chat as a complaint (/complaint subject)"),
    methodName: "execute_command_complaint",
});
