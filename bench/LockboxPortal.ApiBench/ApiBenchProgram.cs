using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Grants;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.ApiBench;

/// <summary>
/// The access check under load (see bench/README.md): the real app on a real port over a real SQLite file, an
/// approved grant, and 32 concurrent connections calling <c>POST /api/v1/access-checks</c>, against the same app's
/// bare endpoint in the same run; then the time from a revoke to the first refused check.
/// </summary>
public static class ApiBenchProgram
{
    private const string ContosoId = "c0a70500-0000-4000-8000-000000000001";

    public static async Task<int> Main(string[] args)
    {
        var connections = IntOption(args, "--connections", 32);
        var seconds = IntOption(args, "--seconds", 10);
        var folder = Directory.CreateTempSubdirectory("lockbox-apibench-");
        try
        {
            await using var app = new BenchFactory(Path.Combine(folder.FullName, "lockbox.db"));
            var baseAddress = app.Start();
            Console.WriteLine($"LockboxPortal access-check benchmark · {Environment.ProcessorCount} cores · {connections} connections · {seconds} s per case · {DateTime.UtcNow:u}");

            await using var scope = app.Services.CreateAsyncScope();

            // The demo's Contoso wants two factors and a fresh code per decision, which an API token never carries; the
            // benchmark decides through the API, as the API tests do, so Contoso relaxes both.
            await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync())
            {
                var contoso = await db.Tenants.SingleAsync(t => t.Id == LockboxPortal.Hosting.DemoData.ContosoId);
                contoso.ChangePolicy(contoso.Policy with { RequireTwoFactor = false, RequireFreshFactor = false });
                await db.SaveChangesAsync();
            }

            var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
            string Token(string email) => tokens.CreatePersonalFromConsoleAsync(email, "bench", 1).GetAwaiter().GetResult().Token;
            var engineer = Client(baseAddress, Token("engineer@fabrikam.test"), 4);
            var manager = Client(baseAddress, Token("manager@fabrikam.test"), 4);
            var approver = Client(baseAddress, Token("approver1@contoso.test"), 4);
            var officer = Client(baseAddress, Token("officer@contoso.test"), 4);
            var dataPlane = Client(baseAddress, (await tokens.CreateServiceClientFromConsoleAsync("bench data plane")).Token, connections);

            var scope1 = "Exchange:mailbox/bench@contoso.com";
            var filed = await engineer.PostAsJsonAsync("/api/v1/requests", new { tenantId = ContosoId, scope = scope1, accessLevel = "read", reason = "maintenance", justification = "Benchmark of the access check.", durationMinutes = 240 });
            var id = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            (await manager.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve" })).EnsureSuccessStatusCode();
            (await approver.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve" })).EnsureSuccessStatusCode();

            var check = JsonSerializer.Serialize(new { tenant = "contoso", engineer = "engineer@fabrikam.test", scope = scope1 + "/inbox", accessLevel = "read" });
            HttpRequestMessage CheckRequest() => new(HttpMethod.Post, "/api/v1/access-checks") { Content = new StringContent(check, System.Text.Encoding.UTF8, "application/json") };
            HttpRequestMessage BareRequest() => new(HttpMethod.Get, "/bench/bare");

            // Warm-up, not reported: JIT, connection pools, the first-use audit entry.
            await LoadAsync(dataPlane, CheckRequest, connections, TimeSpan.FromSeconds(3));
            await LoadAsync(dataPlane, BareRequest, connections, TimeSpan.FromSeconds(3));

            var bare = await LoadAsync(dataPlane, BareRequest, connections, TimeSpan.FromSeconds(seconds));
            var checks = await LoadAsync(dataPlane, CheckRequest, connections, TimeSpan.FromSeconds(seconds));
            var bare2 = await LoadAsync(dataPlane, BareRequest, connections, TimeSpan.FromSeconds(seconds));
            Report("bare endpoint (before)", bare);
            Report("access check (allowed)", checks);
            Report("bare endpoint (after)", bare2);
            var bareRate = (bare.Rate + bare2.Rate) / 2;
            Console.WriteLine($"access check / bare: {checks.Rate / bareRate:P0} of the bare endpoint's requests/s (target >= 50 %); access-check p99 {checks.P99:0.00} ms (target <= 5 ms)");

            await DecisionInProcessAsync(scope.ServiceProvider, id, scope1 + "/inbox");

            // Revoke while the data plane keeps checking: how long until the first refusal?
            using var stop = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            var firstRefusal = new TaskCompletionSource<double>();
            var pollers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var response = await dataPlane.SendAsync(CheckRequest());
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    if (!body.GetProperty("allowed").GetBoolean())
                    {
                        firstRefusal.TrySetResult(clock.Elapsed.TotalMilliseconds);
                    }
                }
            })).ToList();
            await Task.Delay(500);
            var revokeSent = clock.Elapsed.TotalMilliseconds;
            (await officer.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "Benchmark: revoke under load." })).EnsureSuccessStatusCode();
            var revokeAnswered = clock.Elapsed.TotalMilliseconds;
            var refused = await firstRefusal.Task.WaitAsync(TimeSpan.FromSeconds(30));
            stop.Cancel();
            await Task.WhenAll(pollers);
            Console.WriteLine($"revoke: answered {revokeAnswered - revokeSent:0.0} ms after it was sent; first refused check {refused - revokeSent:0.0} ms after the revoke was sent ({refused - revokeAnswered:0.0} ms after its answer)");
            Console.WriteLine($"load average: {LoadAverage()}");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed record Result(long Count, long Failures, double Seconds, double P50, double P99)
    {
        public double Rate => Count / Seconds;
    }

    private static async Task<Result> LoadAsync(HttpClient client, Func<HttpRequestMessage> request, int connections, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(100_000);
            long failures = 0;
            while (Stopwatch.GetTimestamp() < end)
            {
                var t = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request());
                await response.Content.ReadAsByteArrayAsync();
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                failures += response.IsSuccessStatusCode ? 0 : 1;
            }

            return (latencies, failures);
        })).ToList();
        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = results.SelectMany(r => r.latencies).Order().ToArray();
        return new Result(all.Length, results.Sum(r => r.failures), elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static void Report(string name, Result r) =>
        Console.WriteLine($"{name,-24} {r.Rate,8:0} req/s  p50 {r.P50,6:0.00} ms  p99 {r.P99,6:0.00} ms  ({r.Count} requests, {r.Failures} failed)");

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static HttpClient Client(string baseAddress, string token, int connections)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(baseAddress),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// What the decision costs in process with its inputs in memory: the portal's own <see cref="AccessReadModel"/> (the
    /// engineer's standing and the candidates for the tenant and engineer, kept since the HTTP cases read them) and
    /// <see cref="AccessDecision.Evaluate"/>, one million times on one thread, each call timed.
    /// </summary>
    private static async Task DecisionInProcessAsync(IServiceProvider services, Guid requestId, string scope)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
        var grant = await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == requestId);
        var now = DateTimeOffset.UtcNow;
        var model = services.GetRequiredService<AccessReadModel>();
        var candidates = await model.FindAsync(grant.TenantId, grant.RequesterId, now, CancellationToken.None);
        var query = new AccessQuery(grant.TenantId, grant.RequesterId, ResourceScope.Parse(scope), AccessLevel.Read);
        const int Warm = 200_000, Measured = 1_000_000;
        var ticks = new long[Measured];
        var allowed = 0;
        for (var i = -Warm; i < Measured; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var standing = await model.StandingAsync(query.EngineerId, CancellationToken.None);
            var verdict = AccessDecision.Evaluate(query, standing, await model.FindAsync(query.TenantId, query.EngineerId, now, CancellationToken.None), now);
            var took = Stopwatch.GetTimestamp() - start;
            if (i >= 0)
            {
                ticks[i] = took;
                allowed += verdict.IsAllowed ? 1 : 0;
            }
        }

        Array.Sort(ticks);
        double Micro(double q) => ticks[Math.Min(Measured - 1, (int)(q * Measured))] * 1_000_000.0 / Stopwatch.Frequency;
        Console.WriteLine(FormattableString.Invariant(
            $"decision in process ({candidates.Count} candidate(s), read model + Evaluate, {Measured:N0} calls, {allowed:N0} allowed): p50 {Micro(0.5):0.00} µs, p99 {Micro(0.99):0.00} µs, max {Micro(1.0):0.0} µs (target p99 <= 20 µs)"));
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    /// <summary>The real app (Development demo data) on a real loopback port, with the bare endpoint and no rate limit in the way.</summary>
    private sealed class BenchFactory(string databasePath) : WebApplicationFactory<Program>
    {
        public string Start()
        {
            UseKestrel(0);
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Storage:SqlitePath", databasePath);
            builder.UseSetting("Seed:DemoPassword", "Bench-Password-2026");
            builder.UseSetting("Bench:BareEndpoint", "true");
            builder.UseSetting("Api:RateLimit:ServiceClientPermits", "100000000");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft", "Warning");
        }
    }
}
