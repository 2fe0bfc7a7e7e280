/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * An appraisal from the self-assessment to the approval, by its three
 * people in turn: the agent, their supervisor and the manager. The
 * appraisal comes from test_appraisal.py.
 */
const openAppraisal = [
    {
        content: "The agent's appraisal is listed",
        trigger: ".o_data_row:contains(Tour Agent) td[name=period_id]",
        run: "click",
    },
    {
        content: "The appraisal form is loaded",
        trigger: ".o_form_view .o_field_widget[name=name]:contains(Tour Agent)",
    },
];

registry.category("web_tour.tours").add("cs_appraisal_self_tour", {
    url: "/odoo/action-customer_service_bank.cs_appraisal_action",
    steps: () => [
        ...openAppraisal,
        {
            content: "The KPIs are computed from the agent's complaints",
            trigger: ".o_field_widget[name=kpi_line_ids] .o_data_row:contains(Complaints Handled):contains(1.00)",
        },
        {
            content: "See which complaints were counted",
            trigger: ".o_field_widget[name=kpi_line_ids] .o_data_row:contains(Complaints Handled) button[name=action_view_records]",
            run: "click",
        },
        {
            content: "The counted complaint is listed",
            trigger: ".o_list_view .o_data_row:contains(Tour: resolved in November)",
        },
        {
            content: "Back to the appraisal",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Tour Agent)",
            run: "click",
        },
        {
            content: "Open the self-assessment",
            trigger: ".o_notebook a.nav-link[name=self_assessment]",
            run: "click",
        },
        {
            content: "Write it",
            trigger: ".o_field_widget[name=self_assessment] .odoo-editor-editable",
            run: "editor I resolved every complaint on time.",
        },
        {
            content: "Submit it",
            trigger: ".o_form_view button[name=action_submit_self_assessment]",
            run: "click",
        },
        {
            content: "The supervisor reviews it now",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Supervisor Review)",
        },
    ],
});

function scoreCriterion(name, label) {
    return [
        {
            content: `Score ${name}`,
            trigger: `.o_field_widget[name=criterion_line_ids] .o_data_row:contains(${name}) td[name=score]`,
            run: "click",
        },
        {
            content: `${name}: ${label}`,
            trigger: ".o_field_widget[name=criterion_line_ids] .o_selected_row .o_field_widget[name=score] select",
            run: `selectByLabel ${label}`,
        },
    ];
}

registry.category("web_tour.tours").add("cs_appraisal_review_tour", {
    url: "/odoo/action-customer_service_bank.cs_appraisal_action",
    steps: () => [
        ...openAppraisal,
        {
            content: "Read the self-assessment",
            trigger: ".o_notebook a.nav-link[name=self_assessment]",
            run: "click",
        },
        {
            content: "The agent's words are there",
            trigger: ".o_field_widget[name=self_assessment]:contains(every complaint on time)",
        },
        {
            content: "Open the criteria",
            trigger: ".o_notebook a.nav-link[name=criteria]",
            run: "click",
        },
        ...scoreCriterion("Attitude", "Outstanding"),
        ...scoreCriterion("Teamwork", "Exceeds Expectations"),
        {
            content: "Open the review",
            trigger: ".o_notebook a.nav-link[name=review]",
            run: "click",
        },
        {
            content: "Set a goal",
            trigger: ".o_field_widget[name=goals] .odoo-editor-editable",
            run: "editor Coach a new colleague.",
        },
        {
            content: "Submit the review",
            trigger: ".o_form_view button[name=action_submit_review]",
            run: "click",
        },
        {
            content: "The manager approves it now",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Manager Approval)",
        },
    ],
});

registry.category("web_tour.tours").add("cs_appraisal_approve_tour", {
    url: "/odoo/action-customer_service_bank.cs_appraisal_action",
    steps: () => [
        ...openAppraisal,
        {
            content: "The total comes from the KPIs and the criteria",
            trigger: ".o_field_widget[name=band_id]:contains(Expectations), .o_field_widget[name=band_id]:contains(Outstanding)",
        },
        {
            content: "Approve",
            trigger: ".o_form_view button[name=action_approve]",
            run: "click",
        },
        {
            content: "The appraisal is done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "Only a reopening can change it now",
            trigger: ".o_form_view button[name=action_open_reopen_wizard]",
        },
    ],
});
