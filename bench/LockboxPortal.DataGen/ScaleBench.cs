using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.DataGen;

/// <summary>
/// The portal on a generated database: start-up to the first healthy answer (the built portal started as its own
/// process on a loopback port), the approval queue and the audit trail as a signed-in browser first gets them (a GET
/// of the page, which the server renders in full before answering) and as the service calls those pages make, and
/// <c>audit verify</c> over every chain.
/// </summary>
public static partial class ScaleBench
{
    private const string BusyTenant = "t001";
    private const int AuditPageSize = 50;

    public static async Task<int> RunAsync(Target target, string[] args)
    {
        var samples = IntOption(args, "--samples", 20);
        var starts = IntOption(args, "--starts", 3);
        var verifyRuns = IntOption(args, "--verify-runs", 1);
        var parts = (Target.Option(args, "--parts") ?? "startup,pages,services,verify").Split(',');
        if (!parts.Contains("startup"))
        {
            starts = parts.Contains("pages") ? 1 : 0;
        }

        Console.WriteLine($"LockboxPortal provider-sized bench · {target.Name} · {Environment.ProcessorCount} cores · {DateTime.UtcNow:u} · load average {LoadAverage()}");

        await using var host = PortalHost.Build(target);
        var factory = host.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>();
        Guid tenantId;
        long entries;
        await using (var db = await factory.CreateDbContextAsync())
        {
            tenantId = await db.Tenants.Where(t => t.ShortName == BusyTenant).Select(t => t.Id).SingleAsync();
            entries = await db.AuditEntries.LongCountAsync();
            var requests = await db.AccessRequests.CountAsync();
            var open = await db.AccessRequests.CountAsync(r => r.TenantId == tenantId && r.Status == RequestStatus.PendingCustomer);
            Console.WriteLine($"database: {await db.Tenants.CountAsync():N0} tenants, {requests:N0} requests, {entries:N0} audit entries; {BusyTenant} has {open} requests awaiting its approvers");
        }

        // Start-up: the built portal, as an operator starts it, until /health answers 200.
        var startups = new List<double>();
        RunningPortal? portal = null;
        for (var i = 0; i < starts; i++)
        {
            portal = await RunningPortal.StartAsync(target);
            startups.Add(portal.StartupMilliseconds);
            if (i < starts - 1)
            {
                await portal.DisposeAsync();
            }
        }

        if (parts.Contains("startup"))
        {
            Report("start-up to first healthy answer (GET /health 200)", startups);
        }

        if (portal is not null && !parts.Contains("pages"))
        {
            await portal.DisposeAsync();
        }
        else if (portal is not null)
        {
            await using var running = portal;
            // Pages as the browser first gets them: the server prerenders the page, queue or trail included.
            using var approver = await SignInAsync(portal.BaseAddress, $"approver1@{BusyTenant}.test");
            await PageSamplesAsync(approver, "/queue/approvals", "approval queue, first render (GET /queue/approvals)", samples, "LBX-");
            using var officer = await SignInAsync(portal.BaseAddress, $"officer1@{BusyTenant}.test");
            await PageSamplesAsync(officer, $"/audit?chain={tenantId}", "audit trail, first page (GET /audit?chain=t001)", samples, "data-testid=\"audit-row\"");
        }

        // The same pages' service calls, in this process over the same database.
        if (parts.Contains("services"))
        {
            await using var scope = host.Services.CreateAsyncScope();
            var approverPrincipal = await PrincipalAsync(scope.ServiceProvider, $"approver1@{BusyTenant}.test");
            var officerPrincipal = await PrincipalAsync(scope.ServiceProvider, $"officer1@{BusyTenant}.test");
            var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditService>();
            var rows = 0;
            await ServiceSamplesAsync("service: approval queue (ListDecidableTenantsAsync + ListCustomerQueueAsync)", samples, async () =>
            {
                await requests.ListDecidableTenantsAsync(approverPrincipal);
                rows = (await requests.ListCustomerQueueAsync(approverPrincipal)).Count;
            });
            Console.WriteLine($"  ({rows} rows)");

            var head = await scope.ServiceProvider.GetRequiredService<AuditReader>().HeadAsync(tenantId);
            var query = new AuditQuery(tenantId);
            await ServiceSamplesAsync("service: audit page, newest (ListReadableChainsAsync + QueryAsync)", samples, async () =>
            {
                await audit.ListReadableChainsAsync(officerPrincipal);
                await audit.QueryAsync(officerPrincipal, query, new AuditPageRequest(Size: AuditPageSize));
            });
            await ServiceSamplesAsync($"service: audit page 100 (QueryAsync, Before = {head - 100 * AuditPageSize})", samples, () =>
                audit.QueryAsync(officerPrincipal, query, new AuditPageRequest(Before: head - 100 * AuditPageSize, Size: AuditPageSize)));
            await ServiceSamplesAsync("service: audit page, oldest (QueryAsync, Before = 51)", samples, () =>
                audit.QueryAsync(officerPrincipal, query, new AuditPageRequest(Before: AuditPageSize + 1, Size: AuditPageSize)));
            await ServiceSamplesAsync("service: audit page, filtered by event type (CustomerRejected, newest)", samples, () =>
                audit.QueryAsync(officerPrincipal, query with { EventType = AuditEventType.AccessRequest_CustomerRejected }, new AuditPageRequest(Size: AuditPageSize)));
        }

        if (parts.Contains("verify"))
        {
            await VerifyAsync(host, tenantId, verifyRuns);
        }

        Console.WriteLine($"load average at the end {LoadAverage()}");
        return 0;
    }

    private static async Task VerifyAsync(Microsoft.AspNetCore.Builder.WebApplication host, Guid tenantId, int verifyRuns)
    {
        // Where verification spends its time: reading every chain (as verify reads it) and hashing, apart.
        var reader = host.Services.GetRequiredService<AuditReader>();
        var readClock = Stopwatch.StartNew();
        long read = 0;
        var busyChain = new List<AuditEntry>();
        foreach (var chain in await reader.ListChainsAsync())
        {
            await foreach (var entry in reader.StreamAsync(new AuditQuery(chain.TenantId)))
            {
                read++;
                if (chain.TenantId == tenantId)
                {
                    busyChain.Add(entry);
                }
            }
        }

        Console.WriteLine($"audit read only (AuditReader.StreamAsync, every chain): {read:N0} entries in {readClock.Elapsed.TotalSeconds:N1} s = {read / readClock.Elapsed.TotalSeconds:N0} entries/s");
        var hashClock = Stopwatch.StartNew();
        var matching = busyChain.Count(e => e.ComputeHash() == e.Hash);
        Console.WriteLine($"audit hash only (AuditEntry.ComputeHash, {BusyTenant}'s chain in memory): {matching:N0} of {busyChain.Count:N0} match, {busyChain.Count / hashClock.Elapsed.TotalSeconds:N0} entries/s");

        // `audit verify`: the operator's command, every chain, run in this process. The running portal may have
        // appended entries meanwhile (its timer closing requests), so they are counted again here.
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync())
        {
            read = await db.AuditEntries.LongCountAsync();
        }

        for (var run = 0; run < verifyRuns; run++)
        {
            var output = new StringWriter();
            var clock = Stopwatch.StartNew();
            var exit = await host.RunConsoleCommandAsync(["audit", "verify"], output, Console.Error);
            var seconds = clock.Elapsed.TotalSeconds;
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var intact = lines.Count(l => l.Contains(": intact,", StringComparison.Ordinal));
            Console.WriteLine($"audit verify: exit {exit}, {intact} of {lines.Length} chains intact, {read:N0} entries in {seconds:N1} s = {read / seconds:N0} entries/s");
            foreach (var line in lines.Where(l => !l.Contains(": intact,", StringComparison.Ordinal)))
            {
                Console.WriteLine($"  {line}");
            }
        }
    }

    private static async Task PageSamplesAsync(HttpClient client, string path, string what, int samples, string rowMarker)
    {
        var times = new List<double>();
        var rows = 0;
        for (var i = 0; i <= samples; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK || body.Contains("/account/login", StringComparison.Ordinal) && !body.Contains(rowMarker, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode} without the page's rows");
            }

            rows = Regex.Count(body, Regex.Escape(rowMarker));
        }

        Console.WriteLine($"{what}: the very first {times[0]:N1} ms ({rows} matches of '{rowMarker}')");
        Report($"{what}, after the first", times.Skip(1).ToList());
    }

    private static async Task ServiceSamplesAsync(string what, int samples, Func<Task> call)
    {
        var times = new List<double>();
        for (var i = 0; i <= samples; i++)
        {
            var clock = Stopwatch.StartNew();
            await call();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"{what}: the very first {times[0]:N1} ms");
        Report($"{what}, after the first", times.Skip(1).ToList());
    }

    private static async Task<ClaimsPrincipal> PrincipalAsync(IServiceProvider services, string email)
    {
        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No {email}: is this a generated database?");
        return await services.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync(user);
    }

    /// <summary>Signs in through the login form, as a browser does: the form's antiforgery token, then the cookie.</summary>
    private static async Task<HttpClient> SignInAsync(Uri baseAddress, string email)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };
        var form = await client.GetStringAsync("/account/login");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        using var answer = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.Email"] = email,
            ["Input.Password"] = Generator.Password,
        }));
        if (answer.StatusCode != HttpStatusCode.Redirect || answer.Headers.Location?.ToString().Contains("login", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new InvalidOperationException($"Signing in as {email} answered {(int)answer.StatusCode} {answer.Headers.Location}");
        }

        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static void Report(string what, List<double> values)
    {
        var sorted = values.Order().ToList();
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        Console.WriteLine($"{what}: median {At(0.5):N1} ms, p95 {At(0.95):N1} ms, max {sorted[^1]:N1} ms ({sorted.Count} samples)");
    }

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static int IntOption(string[] args, string name, int fallback) =>
        int.TryParse(Target.Option(args, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>The built portal, started with <c>dotnet LockboxPortal.dll</c> on a free loopback port.</summary>
    private sealed class RunningPortal : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _output = [];

        private RunningPortal(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public double StartupMilliseconds { get; private set; }

        public static async Task<RunningPortal> StartAsync(Target target)
        {
            // The portal's build output is copied beside this program's, as for the tests' PortalProcess.
            var folder = AppContext.BaseDirectory;
            var port = FreePort();
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(folder, "LockboxPortal.dll"), "--urls", $"http://127.0.0.1:{port}", "--environment", "Development",
                         "--Logging:LogLevel:Default", "Warning" }.Concat(target.Settings().SelectMany(s => new[] { $"--{s.Key}", s.Value! })))
            {
                info.ArgumentList.Add(arg);
            }

            var clock = Stopwatch.StartNew();
            var process = Process.Start(info)!;
            var portal = new RunningPortal(process, new Uri($"http://127.0.0.1:{port}"));
            process.OutputDataReceived += (_, e) => portal.Keep(e.Data);
            process.ErrorDataReceived += (_, e) => portal.Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var client = new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            while (true)
            {
                if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
                {
                    throw new InvalidOperationException($"The portal did not become healthy:{Environment.NewLine}{string.Join(Environment.NewLine, portal._output.TakeLast(30))}");
                }

                try
                {
                    using var health = await client.GetAsync("/health");
                    if (health.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(20);
            }

            portal.StartupMilliseconds = clock.Elapsed.TotalMilliseconds;
            return portal;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.Add(line);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
