import { threadActionsRegistry } from "@mail/core/common/thread_actions";
import { _t } from "@web/core/l10n/translation";

threadActionsRegistry.add("cs-register-complaint", {
    condition(component) {
        return (
            component.thread?.model === "discuss.channel" &&
            component.thread.channel_type === "livechat"
        );
    },
    icon: "fa fa-fw fa-exclamation-triangle",
    name: _t("Register as Complaint"),
    async open(component) {
        const { action, orm } = component.env.services;
        const complaintAction = await orm.call(
            "discuss.channel",
            "action_cs_create_complaint",
            [[component.thread.id]]
        );
        await action.doAction(complaintAction);
    },
    sequence: 30,
});
