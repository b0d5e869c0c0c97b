using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LockboxPortal.Hosting;

/// <summary>
/// Health for load balancers and orchestrators, metrics and traces through OpenTelemetry: the portal's own
/// instruments (<see cref="LockboxMetrics"/>) and ASP.NET Core's. A Prometheus scrape endpoint (<c>/metrics</c>) when
/// <c>Telemetry:Prometheus</c> is true; OTLP export when <c>Telemetry:OtlpEndpoint</c> names a collector.
/// </summary>
public static class Telemetry
{
    public const string PrometheusKey = "Telemetry:Prometheus";
    public const string OtlpEndpointKey = "Telemetry:OtlpEndpoint";

    /// <summary>The health checks a node needs to serve anyone; <c>/health/ready</c> runs only these.</summary>
    public const string ReadyTag = "ready";

    public static IServiceCollection AddLockboxTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var prometheus = configuration.GetValue<bool>(PrometheusKey);
        var otlp = configuration[OtlpEndpointKey] is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("LockboxPortal"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(LockboxMetrics.Name).AddAspNetCoreInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(options => options.Endpoint = otlp);
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(LockboxMetrics.Name).AddAspNetCoreInstrumentation();
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(options => options.Endpoint = otlp);
                }
            });
        return services;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers (no dependency is asked, so a database outage does not get every node
    /// restarted). <c>/health/ready</c>: the database, and Redis when configured. <c>/health</c>: every check.
    /// </summary>
    public static IEndpointRouteBuilder MapLockboxHealth(this IEndpointRouteBuilder endpoints, IConfiguration configuration)
    {
        endpoints.MapHealthChecks("/health").AllowAnonymous();
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        if (configuration.GetValue<bool>(PrometheusKey))
        {
            endpoints.MapPrometheusScrapingEndpoint().AllowAnonymous();
        }

        return endpoints;
    }
}

/// <summary>Ready when Redis answers a ping; the node still works without it, but its pages then hear only its own changes.</summary>
public sealed class RedisHealthCheck(StackExchange.Redis.IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0} ms");
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer", ex);
        }
    }
}
