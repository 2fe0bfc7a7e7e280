/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// figure ids of customer_service_bank/data/files/customer_service_dashboard.json
const OPEN_COMPLAINTS_KPI = "2fe24f46-f92f-5404-8800-1764cc78d7f3";
const OPEN_BY_STATUS_CHART = "37a47cf3-f036-5be6-b099-67fa01d9611a";

/**
 * Resolve once the Chart.js chart drawn on ``canvas`` has loaded its data and
 * ``isExpected(data)`` holds; the data of Odoo charts arrives after the chart.
 */
async function waitForChartData(canvas, isExpected) {
    for (let attempt = 0; attempt < 60; attempt++) {
        const chart = window.Chart?.getChart(canvas);
        if (chart && isExpected(chart.data)) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const data = window.Chart?.getChart(canvas)?.data;
    throw new Error(
        `Unexpected chart data: ${JSON.stringify({
            labels: data?.labels,
            data: data?.datasets.map((dataset) => dataset.data),
        })}`
    );
}

/**
 * A supervisor opens the Customer Service dashboard; its KPIs are drawn and
 * the chart of open complaints shows their team's complaints by status.
 */
registry.category("web_tour.tours").add("cs_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Dashboards app",
            trigger:
                ".o_app[data-menu-xmlid='spreadsheet_dashboard.spreadsheet_dashboard_menu_root']",
            run: "click",
        },
        {
            content: "Open the Customer Service dashboard",
            trigger: ".o_spreadsheet_dashboard_search_panel li[data-name='Customer Service']",
            run: "click",
        },
        {
            content: "The open complaints KPI is drawn",
            trigger: `.o-figure[data-id='${OPEN_COMPLAINTS_KPI}'] canvas.o-scorecard`,
        },
        {
            content: "Open complaints by deadline status: one on track, one breached",
            trigger: `.o-figure[data-id='${OPEN_BY_STATUS_CHART}'] canvas`,
            run: async function () {
                await waitForChartData(this.anchor, (data) => {
                    const counts = Object.fromEntries(
                        data.labels.map((label, i) => [label, data.datasets[0]?.data[i]])
                    );
                    return (
                        data.labels.length === 2 &&
                        counts["On Track"] === 1 &&
                        counts["Breached"] === 1
                    );
                });
            },
        },
    ],
});
