using System.Net;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.Hosting;

public sealed class HealthTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Live_Ready_AndTheWholeReport_AnswerHealthy()
    {
        await using var portal = new PortalFactory(_folder.File("lockbox.db"));
        using var client = portal.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task RedisConfiguredButDown_NodeIsNotReady_ButLive()
    {
        // A loopback port nobody listens on.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var portal = new PortalFactory(_folder.File("lockbox.db")).With("ConnectionStrings:" + LockboxSeams.RedisConnectionName, $"127.0.0.1:{port}");
        using var client = portal.CreateClient();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>The Prometheus scrape endpoint, with the portal's own instruments in it.</summary>
public sealed class PrometheusTests(PrometheusTests.Portal portal) : IClassFixture<PrometheusTests.Portal>
{
    public sealed class Portal : ApiPortalFixture
    {
        protected override PortalFactory CreateFactory(string databasePath) =>
            base.CreateFactory(databasePath).With(Telemetry.PrometheusKey, "true");
    }

    [Fact]
    public async Task Metrics_CountFilingsAndAccessChecks()
    {
        await portal.FileAsync();
        await portal.CheckAsync();
        using var scraper = portal.Client(null);

        var metrics = await scraper.GetStringAsync("/metrics");

        Assert.Contains("lockbox_requests_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"filed\"", metrics, StringComparison.Ordinal);
        Assert.Contains("lockbox_access_checks_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("result=\"refused\"", metrics, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^lockbox_outbox_backlog(_messages)?(\{[^}]*\})? \d+", metrics);
    }
}

public sealed class PrometheusOffTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task WithoutTheSetting_ThereIsNoScrapeEndpoint()
    {
        await using var portal = new PortalFactory(_folder.File("lockbox.db"));
        using var client = portal.CreateClient();

        var answer = await client.GetAsync("/metrics");

        Assert.DoesNotContain("lockbox_", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual("text/plain", answer.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _folder.Dispose();
}
