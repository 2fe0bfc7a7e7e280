/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * The demo supervisor opens next week's meeting, finds last week's open
 * action items on its agenda and marks one done.
 */
registry.category("web_tour.tours").add("cs_team_meeting_tour", {
    steps: () => [
        {
            content: "Open the planned meeting",
            trigger: ".o_data_row:contains(Weekly complaints review):contains(Planned) td[name=name]",
            run: "click",
        },
        {
            content: "The meeting form is loaded",
            trigger: ".o_form_saved .o_field_widget[name=name] input:value(Weekly complaints review)",
        },
        {
            content: "Last week's open items are on the agenda",
            trigger: ".o_field_widget[name=carried_item_ids] .o_data_row:contains(first-call refund script)",
        },
        {
            content: "Mark the back office item done",
            trigger: ".o_field_widget[name=carried_item_ids] .o_data_row:contains(two-day refund commitment) button[name=action_done]",
            run: "click",
        },
        {
            content: "The item is done",
            trigger: ".o_field_widget[name=carried_item_ids] .o_data_row:contains(two-day refund commitment):contains(Done)",
        },
    ],
});

/**
 * A demo agent opens the best practices of a card fee complaint and finds
 * one helpful.
 */
registry.category("web_tour.tours").add("cs_best_practice_tour", {
    steps: () => [
        {
            content: "Open the complaint's best practices",
            trigger: ".o_form_view button[name=action_view_best_practices]:contains(Best Practices)",
            run: "click",
        },
        {
            content: "Open the card fee practice",
            trigger: ".o_data_row:contains(Refund a duplicate card fee) td[name=name]",
            run: "click",
        },
        {
            content: "Find it helpful",
            trigger: ".o_form_view button[name=action_vote]",
            run: "click",
        },
        {
            content: "The vote is counted",
            trigger: ".o_form_view button[name=action_unvote]",
        },
    ],
});
