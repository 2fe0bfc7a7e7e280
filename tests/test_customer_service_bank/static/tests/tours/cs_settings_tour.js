/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const BLOCK = ".app_settings_block[data-key=customer_service_bank]";

/**
 * An administrator changes the deadline warning threshold in the settings.
 */
registry.category("web_tour.tours").add("cs_settings_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Customer Service app",
            trigger: ".o_app[data-menu-xmlid='customer_service_bank.cs_menu_root']",
            run: "click",
        },
        {
            content: "Open the Configuration menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains(Configuration)",
            run: "click",
        },
        {
            content: "Open the settings",
            trigger: ".dropdown-item[data-menu-xmlid='customer_service_bank.cs_settings_menu']",
            run: "click",
        },
        {
            content: "The Customer Service block shows the current threshold",
            trigger: `${BLOCK} .o_field_widget[name=cs_warning_threshold] input:value(75.00)`,
        },
        {
            content: "Change the threshold",
            trigger: `${BLOCK} .o_field_widget[name=cs_warning_threshold] input`,
            run: "edit 80 && press Tab",
        },
        {
            content: "The change is not saved yet",
            trigger: ".o_control_panel .o_dirty_warning",
        },
        {
            content: "Save",
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
        },
        {
            content: "The change is saved",
            trigger: ".o_control_panel:not(:has(.o_dirty_warning))",
        },
        {
            content: "The settings show the saved threshold",
            trigger: `${BLOCK} .o_field_widget[name=cs_warning_threshold] input:value(80.00)`,
        },
    ],
});
