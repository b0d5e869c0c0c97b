using LockboxPortal.Common;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LockboxPortal.Bench;

/// <summary>
/// Measures the deadline timer on the real clock over a real SQLite file (see bench/README.md):
/// "burst": N grants ending within the same second, time until all are closed;
/// "spread": deadlines spread over S seconds, lateness of each transition after its deadline.
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = Options.Parse(args);
        Console.WriteLine($"LockboxPortal deadline benchmark · {Environment.ProcessorCount} cores · batch {GrantService.BatchSize} · {DateTime.UtcNow:u}");
        // A running portal has its code paths compiled and optimised; so does the benchmark before it measures.
        await WarmUpAsync();

        if (options.Case is "burst" or "all")
        {
            await BurstAsync(options.BurstCount, options.Instances);
        }

        if (options.Case is "spread" or "all")
        {
            await SpreadAsync(options.SpreadCount, TimeSpan.FromSeconds(options.SpreadSeconds), options.Instances);
        }

        return 0;
    }

    private static async Task WarmUpAsync()
    {
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < 3; round++)
        {
            await using var bench = await BenchDatabase.CreateAsync(1, quiet: true);
            var t0 = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(1);
            var deadlines = await bench.SeedAsync(1000, i => (i % 2 == 0, t0));
            await bench.RunUntilClosedAsync(deadlines, t0 + TimeSpan.FromSeconds(60));
        }

        Console.WriteLine($"warm-up: 3 x 1000 transitions in {watch.Elapsed.TotalSeconds:0.0} s (not reported)");
    }

    /// <summary>N grants whose ends all fall within one second [T0, T0+1s).</summary>
    private static async Task BurstAsync(int count, int instances)
    {
        Console.WriteLine();
        Console.WriteLine($"burst: {count} grants ending within one second, {instances} instance(s)");
        await using var bench = await BenchDatabase.CreateAsync(instances);
        var t0 = RoundUp(TimeProvider.System.GetUtcNow() + SeedMargin(count), TimeSpan.FromSeconds(1));
        var deadlines = await bench.SeedAsync(count, i => (false, t0 + TimeSpan.FromTicks(TimeSpan.TicksPerSecond * i / count)));
        var closed = await bench.RunUntilClosedAsync(deadlines, t0 + TimeSpan.FromSeconds(60));

        var last = closed.Values.Max();
        Console.WriteLine($"  all {closed.Count} closed {Seconds(last - t0)} after the first deadline, {Seconds(last - (t0 + TimeSpan.FromSeconds(1)))} after the end of that second");
        PrintLateness(deadlines, closed);
    }

    /// <summary>Deadlines spread evenly over a window: half pending requests expiring, half grants ending.</summary>
    private static async Task SpreadAsync(int count, TimeSpan window, int instances)
    {
        Console.WriteLine();
        Console.WriteLine($"spread: {count} deadlines over {window.TotalSeconds:0} s (half expiries, half grant ends), {instances} instance(s)");
        await using var bench = await BenchDatabase.CreateAsync(instances);
        var t0 = TimeProvider.System.GetUtcNow() + SeedMargin(count);
        var random = new Random(2026);
        var deadlines = await bench.SeedAsync(count, i => (i % 2 == 0, t0 + TimeSpan.FromTicks((long)(random.NextDouble() * window.Ticks))));
        var closed = await bench.RunUntilClosedAsync(deadlines, t0 + window + TimeSpan.FromSeconds(60));
        PrintLateness(deadlines, closed);
    }

    private static void PrintLateness(Dictionary<Guid, DateTimeOffset> deadlines, ConcurrentDictionary<Guid, DateTimeOffset> closed)
    {
        var lateness = closed.Select(c => (c.Value - deadlines[c.Key]).TotalMilliseconds).Order().ToArray();
        double At(double q) => lateness[Math.Min(lateness.Length - 1, (int)Math.Ceiling(q * lateness.Length) - 1)];
        Console.WriteLine(FormattableString.Invariant(
            $"  lateness after deadline (commit seen by subscribers): median {At(0.5):0} ms, p99 {At(0.99):0} ms, max {lateness[^1]:0} ms, min {lateness[0]:0} ms; closed {closed.Count}/{deadlines.Count}"));
    }

    private static TimeSpan SeedMargin(int count) => TimeSpan.FromSeconds(5 + count / 1000.0 * 2);

    private static DateTimeOffset RoundUp(DateTimeOffset at, TimeSpan unit) => new(at.Ticks + unit.Ticks - at.Ticks % unit.Ticks, at.Offset);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.000 s", CultureInfo.InvariantCulture);

    private sealed record Options(string Case, int BurstCount, int SpreadCount, int SpreadSeconds, int Instances)
    {
        public static Options Parse(string[] args)
        {
            string Get(string name, string fallback)
            {
                var i = Array.IndexOf(args, "--" + name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
            }

            return new Options(
                Get("case", "all"),
                int.Parse(Get("burst-count", "10000"), CultureInfo.InvariantCulture),
                int.Parse(Get("spread-count", "3000"), CultureInfo.InvariantCulture),
                int.Parse(Get("spread-seconds", "180"), CultureInfo.InvariantCulture),
                int.Parse(Get("instances", "1"), CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>A temp SQLite database with the portal's migrations, one tenant, and one or more app "instances" over it.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private static readonly Guid TenantId = Guid.NewGuid();
    private readonly string _folder;
    private readonly List<ServiceProvider> _instances = [];
    private readonly bool _quiet;

    private BenchDatabase(string folder, bool quiet)
    {
        _folder = folder;
        _quiet = quiet;
    }

    public static async Task<BenchDatabase> CreateAsync(int instances, bool quiet = false)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lockboxportal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var bench = new BenchDatabase(folder, quiet);
        for (var i = 0; i < instances; i++)
        {
            bench._instances.Add(Instance(Path.Combine(folder, "lockbox.db"), folder));
        }

        await bench._instances[0].MigrateLockboxDatabaseAsync();
        await using var db = bench.NewContext();
        db.Tenants.Add(new Tenant(TenantId, "Contoso", "contoso", TimeProvider.System.GetUtcNow()));
        await db.SaveChangesAsync();
        return bench;
    }

    /// <summary>Writes requests straight into storage; <paramref name="shape"/> says for each whether it is pending (else a grant) and its deadline.</summary>
    public async Task<Dictionary<Guid, DateTimeOffset>> SeedAsync(int count, Func<int, (bool Pending, DateTimeOffset Deadline)> shape)
    {
        var watch = Stopwatch.StartNew();
        var engineer = new Actor("engineer", "Erin Engineer");
        var manager = new Actor("manager", "Mia Manager");
        var approver = new Actor("approver", "Alex Approver");
        var policy = TenantPolicy.Default;
        var scope = ResourceScope.Parse("Exchange:mailbox/ana@contoso.com");
        var deadlines = new Dictionary<Guid, DateTimeOffset>();
        for (var start = 0; start < count; start += 1000)
        {
            await using var db = NewContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(count, start + 1000); i++)
            {
                var (pending, deadline) = shape(i);
                var filedAt = pending ? deadline - policy.PendingLifetime : deadline - TimeSpan.FromHours(1);
                var request = AccessRequest.File(Guid.NewGuid(), $"LBX-B{i:D7}", TenantId, engineer, scope, AccessLevel.Read,
                    "Seeded for the deadline benchmark.", $"SR-{i}", TimeSpan.FromMinutes(15), policy, filedAt, reason: RequestReason.CustomerSupport);
                request.ApproveInternal(manager, null, 1, filedAt);
                if (!pending)
                {
                    request.ApproveCustomer(approver, null, null, deadline - TimeSpan.FromMinutes(15));
                }

                db.AccessRequests.Add(request);
                deadlines[request.Id] = deadline;
            }

            await db.SaveChangesAsync();
        }

        Log($"  seeded {count} in {watch.Elapsed.TotalSeconds:0.0} s");
        return deadlines;
    }

    /// <summary>Starts the timers and records when each request's closing was published (after its commit).</summary>
    public async Task<ConcurrentDictionary<Guid, DateTimeOffset>> RunUntilClosedAsync(Dictionary<Guid, DateTimeOffset> deadlines, DateTimeOffset giveUpAt)
    {
        var closed = new ConcurrentDictionary<Guid, DateTimeOffset>();
        var duplicates = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriptions = _instances.Select(sp => sp.GetRequiredService<RequestNotifier>().Subscribe(change =>
        {
            if (!closed.TryAdd(change.RequestId, TimeProvider.System.GetUtcNow()))
            {
                Interlocked.Increment(ref duplicates);
            }

            if (closed.Count == deadlines.Count)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        })).ToList();

        var first = deadlines.Values.Min();
        if (TimeProvider.System.GetUtcNow() >= first)
        {
            Log("  WARNING: seeding ran past the first deadline; figures include start-up catch-up");
        }

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var timers = _instances.Select(sp => sp.GetRequiredService<DeadlineTimer>()).ToList();
        foreach (var timer in timers)
        {
            await timer.StartAsync(CancellationToken.None);
        }

        await all.Task.WaitAsync(giveUpAt - TimeProvider.System.GetUtcNow()).ContinueWith(_ => { });
        foreach (var timer in timers)
        {
            await timer.StopAsync(CancellationToken.None);
        }

        subscriptions.ForEach(s => s.Dispose());
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Log($"  CPU time this process used from timer start to the last close (incl. waiting for the first deadline): {cpu.TotalSeconds:0.00} s; load average now {LoadAverage()}");
        await using var db = NewContext();
        var audited = await db.AuditEntries.CountAsync(e => e.EventType == AuditEventType.AccessRequest_Expired || e.EventType == AuditEventType.Grant_Completed);
        Log($"  audited transitions {audited}, published twice {duplicates}");
        return closed;
    }

    private void Log(string line)
    {
        if (!_quiet)
        {
            Console.WriteLine(line);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public Data.LockboxDbContext NewContext() =>
        _instances[0].GetRequiredService<IDbContextFactory<Data.LockboxDbContext>>().CreateDbContext();

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static ServiceProvider Instance(string databasePath, string folder)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [DatabaseSetup.SqlitePathKey] = databasePath,
                [PortalCertificate.PathKey] = BenchCertificate(folder),
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddLockboxDatabase(configuration, new BenchEnvironment(folder));
        services.AddAuthorizationCore(options => options.AddLockboxPolicies());
        services.AddLockboxAccounts();
        services.AddLockboxFeatures();
        return services.BuildServiceProvider();
    }

    /// <summary>Outside Development the portal needs its certificate; one is made beside the bench's database.</summary>
    private static string BenchCertificate(string folder)
    {
        var path = Path.Combine(folder, "bench-certificate.pfx");
        if (!File.Exists(path))
        {
            File.WriteAllBytes(path, PortalCertificate.CreateSelfSigned("LockboxPortal bench"));
        }

        return path;
    }

    private sealed class BenchEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "LockboxPortal";

        public string ContentRootPath { get; set; } = root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
