package org.meshchain.node.api;

import org.meshchain.node.metrics.Metrics;

/**
 * The API's own metrics in the node's registry. Route labels are the fixed route templates and
 * status labels the numeric codes, so the label sets stay small whatever clients send.
 */
final class ApiMetrics {

    final Metrics.Counter requests;
    final Metrics.Histogram latency;
    final Metrics.Counter sseOpened;
    final Metrics.Counter sseClosed;
    final Metrics.Counter sseDropped;
    final Metrics.Counter submissions;

    ApiMetrics(Metrics registry) {
        requests = registry.counter("meshchain_api_requests_total", "HTTP API requests by route template and status code",
                "route", "status");
        latency = registry.histogram("meshchain_api_request_duration_seconds",
                "HTTP API time from request to response head, seconds",
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
        sseOpened = registry.counter("meshchain_api_sse_clients_opened_total", "/v1/events streams opened");
        sseClosed = registry.counter("meshchain_api_sse_clients_closed_total",
                "/v1/events streams ended (client left, dropped, or server stopped)");
        sseDropped = registry.counter("meshchain_api_sse_clients_dropped_total",
                "/v1/events clients disconnected because they fell a full buffer behind");
        submissions = registry.counter("meshchain_api_transactions_submitted_total",
                "transactions submitted over the API by outcome (accepted or the rejection code)", "outcome");
    }
}
