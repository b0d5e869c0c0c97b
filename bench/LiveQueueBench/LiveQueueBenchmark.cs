// Push latency from a request reaching the approvers to its row being in their open queue pages (headless
// Chromium) and to 1,000 hub clients, plus server memory per open approver page. See bench/README.md.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LiveQueueBench;

internal static class LiveQueueBenchmark
{
    public static async Task Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var folder = Path.Combine(Path.GetTempPath(), "lockbox-livebench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var report = new List<string>();

        try
        {
            await using var portal = new BenchPortal(Path.Combine(folder, "lockbox.db"));
            var baseUrl = portal.Start();
            var engineer = await PrincipalAsync("engineer@fabrikam.test");
            var manager = await PrincipalAsync("manager@fabrikam.test");
            var approver2 = await PrincipalAsync("approver2@contoso.test");

            // The demo's Contoso wants two factors at sign-in and a fresh code per decision, and its people have an
            // authenticator; the benchmark signs in with a password and decides through the service, so Contoso relaxes
            // both and approver1 and the officer (the hub clients) sign in without the authenticator.
            await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync())
            {
                var contoso = await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId);
                contoso.ChangePolicy(contoso.Policy with { RequireTwoFactor = false, RequireFreshFactor = false });
                foreach (var person in await db.Users.Where(u => u.Email == "approver1@contoso.test" || u.Email == "officer@contoso.test").ToListAsync())
                {
                    person.TwoFactorEnabled = false;
                }

                await db.SaveChangesAsync();
            }

            // The demo has one request awaiting Contoso; file more so every approver page shows a queue of QueueRows.
            await using (var scope = portal.Services.CreateAsyncScope())
            {
                var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
                for (var i = 1; i < options.QueueRows; i++)
                {
                    var filed = await requests.FileAsync(engineer, Input(i));
                    await requests.DecideInternalAsync(manager, filed.Id, approve: true, null);
                }
            }

            // What one page's re-read costs on the server, for reading the latencies below.
            await using (var scope = portal.Services.CreateAsyncScope())
            {
                var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
                var approver1 = await PrincipalAsync("approver1@contoso.test");
                var reads = new List<double>();
                for (var i = 0; i < 30; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await requests.ListCustomerQueueAsync(approver1);
                    reads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                report.Add(Line($"server: one approval-queue read ({options.QueueRows} rows)", reads.Skip(10).ToList()));
                Console.WriteLine(report[^1]);
            }

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
                ],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl });
            context.SetDefaultTimeout(60_000);
            await SignInAsync(context, "approver1@contoso.test");

            var pages = new List<ApproverPage> { await ApproverPage.OpenAsync(context, options.QueueRows) };
            var hubClients = new List<HubConnection>();
            var hubLatencies = new ConcurrentBag<double>();
            var hubFromPublish = new ConcurrentBag<double>();
            var hubCounts = new ConcurrentDictionary<(Guid, string), int>();
            var filedAt = new ConcurrentDictionary<Guid, double>();
            var number = 1000;
            var publishedAt = new ConcurrentDictionary<Guid, double>();
            using var published = portal.Services.GetRequiredService<RequestNotifier>().Subscribe(change =>
            {
                if (change.Kind == RequestEventKind.InternalApproved)
                {
                    publishedAt[change.RequestId] = Clock.NowMs();
                }

                return Task.CompletedTask;
            });

            Console.WriteLine($"LiveQueueBench: {options.Requests} requests after {options.Warmup} warm-up, queue of {options.QueueRows} rows, {Environment.ProcessorCount} cores");
            // Memory first, before any hub client has connected (their freed buffers stay pooled and would blur it).
            await RunScenarioAsync(1, 0);
            var before = Memory();
            Dump("one-page");
            while (pages.Count < options.Pages)
            {
                pages.Add(await ApproverPage.OpenAsync(context, options.QueueRows));
            }

            var after = Memory();
            Dump("all-pages");
            var added = options.Pages - 1;
            report.Add($"| server memory per open approver page ({options.QueueRows} rows), {added} pages added | managed heap after full GC: {(after.Heap - before.Heap) / added / 1024.0:0} KiB | RSS: {(after.Rss - before.Rss) / added / 1024.0:0} KiB |");
            Console.WriteLine(report[^1]);

            await RunScenarioAsync(options.Pages, 0);
            await ConnectHubClientsAsync(options.HubClients);
            await RunScenarioAsync(options.Pages, options.HubClients);

            // Leaving a page ends its circuit (Blazor says goodbye on pagehide), so one page stays live.
            foreach (var page in pages.Skip(1))
            {
                await page.LeaveAsync();
            }

            await RunScenarioAsync(1, options.HubClients);
            await DisconnectHubClientsAsync();

            Console.WriteLine();
            Console.WriteLine("| scenario | median | p95 | max | samples |");
            Console.WriteLine("| --- | --- | --- | --- | --- |");
            foreach (var line in report.Where(l => !l.Contains("memory", StringComparison.Ordinal)))
            {
                Console.WriteLine(line);
            }

            Console.WriteLine();
            Console.WriteLine(report.Single(l => l.Contains("memory", StringComparison.Ordinal)));

            async Task RunScenarioAsync(int pageCount, int hubCount)
            {
                var open = pages.Take(pageCount).ToList();
                var pageLatencies = new List<double>();
                var fromPublish = new List<double>();
                hubLatencies.Clear();
                hubFromPublish.Clear();
                for (var i = 0; i < options.Warmup + options.Requests; i++)
                {
                    var measured = i >= options.Warmup;
                    await using var scope = portal.Services.CreateAsyncScope();
                    var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
                    var filed = await requests.FileAsync(engineer, Input(++number));

                    // The moment it reaches the customer stage: the manager's approval is what puts it in approvers' queues.
                    var t0 = Clock.NowMs();
                    filedAt[filed.Id] = t0;
                    await requests.DecideInternalAsync(manager, filed.Id, approve: true, null);
                    var seen = await Task.WhenAll(open.Select(p => p.WhenShownAsync(filed.Reference)));
                    if (hubCount > 0)
                    {
                        await WaitForHubAsync(filed.Id, nameof(RequestEventKind.InternalApproved), hubCount);
                    }

                    if (measured)
                    {
                        pageLatencies.AddRange(seen.Select(s => s - t0));
                        fromPublish.AddRange(seen.Select(s => s - publishedAt[filed.Id]));
                    }
                    else
                    {
                        hubLatencies.Clear();
                        hubFromPublish.Clear();
                    }

                    // Keep the queue at its size: another approver rejects it, and every page drops the row before the next one.
                    await requests.DecideCustomerAsync(approver2, filed.Id, approve: false, "benchmark");
                    await Task.WhenAll(open.Select(p => p.WhenGoneAsync(filed.Reference)));
                    if (hubCount > 0)
                    {
                        await WaitForHubAsync(filed.Id, nameof(RequestEventKind.CustomerRejected), hubCount);
                    }
                }

                var name = $"{pageCount} approver page(s), {(hubCount == 0 ? "no" : hubCount.ToString("N0"))} hub clients";
                report.Add(Line($"{name}: page, from the approval call", pageLatencies));
                Console.WriteLine(report[^1]);
                report.Add(Line($"{name}: page, from the event's publication", fromPublish));
                if (hubCount > 0)
                {
                    report.Add(Line($"{name}: hub clients, from the approval call", hubLatencies.ToList()));
                    report.Add(Line($"{name}: hub clients, from the event's publication", hubFromPublish.ToList()));
                }

                Console.WriteLine(report[^1]);
            }

            async Task WaitForHubAsync(Guid requestId, string kind, int expected)
            {
                var deadline = Stopwatch.StartNew();
                while (hubCounts.GetValueOrDefault((requestId, kind)) < expected)
                {
                    if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        throw new TimeoutException($"Only {hubCounts.GetValueOrDefault((requestId, kind))} of {expected} hub clients heard {kind}.");
                    }

                    await Task.Delay(1);
                }
            }

            async Task ConnectHubClientsAsync(int count)
            {
                var cookies = new CookieContainer();
                using (var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) })
                {
                    var form = await http.GetStringAsync("/account/login");
                    var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
                    var response = await http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
                        ["_handler"] = "login",
                        ["Input.Email"] = "officer@contoso.test",
                        ["Input.Password"] = BenchPortal.Password,
                    }));
                    if (response.StatusCode != HttpStatusCode.Redirect)
                    {
                        throw new InvalidOperationException("Hub clients could not sign in.");
                    }
                }

                for (var batch = 0; batch < count; batch += 50)
                {
                    var connections = Enumerable.Range(0, Math.Min(50, count - batch)).Select(_ =>
                    {
                        var connection = new HubConnectionBuilder().WithUrl(baseUrl + LockboxHub.Path, o => o.Cookies = cookies).Build();
                        connection.On<RequestChangedMessage>(RequestChangedMessage.Method, message =>
                        {
                            var now = Clock.NowMs();
                            if (message.Kind == nameof(RequestEventKind.InternalApproved) && filedAt.TryGetValue(message.RequestId, out var t0))
                            {
                                hubLatencies.Add(now - t0);
                                if (publishedAt.TryGetValue(message.RequestId, out var published))
                                {
                                    hubFromPublish.Add(now - published);
                                }
                            }

                            hubCounts.AddOrUpdate((message.RequestId, message.Kind), 1, (_, n) => n + 1);
                        });
                        return connection;
                    }).ToList();
                    await Task.WhenAll(connections.Select(c => c.StartAsync()));
                    hubClients.AddRange(connections);
                }
            }

            async Task DisconnectHubClientsAsync()
            {
                await Task.WhenAll(hubClients.Select(c => c.DisposeAsync().AsTask()));
                hubClients.Clear();
                hubCounts.Clear();
            }

            async Task<ClaimsPrincipal> PrincipalAsync(string email)
            {
                await using var db = await portal.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
                var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
                return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], "Bench"));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static FileRequestInput Input(int n) => new(
        DemoData.ContosoId, $"Exchange:mailbox/user{n}@contoso.com", AccessLevel.Read,
        "Benchmark: customer reports missing calendar items.", $"SR-{n}", TimeSpan.FromHours(1), Reason: RequestReason.CustomerSupport);

    private static async Task SignInAsync(IBrowserContext context, string email)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", BenchPortal.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        await page.CloseAsync();
    }

    private static void Dump(string name)
    {
        if (Environment.GetEnvironmentVariable("LIVEQUEUE_GCDUMP") is not { Length: > 0 } folder)
        {
            return;
        }

        using var tool = Process.Start(new ProcessStartInfo("dotnet-gcdump", ["collect", "-p", Environment.ProcessId.ToString(), "-o", Path.Combine(folder, name + ".gcdump")]))!;
        tool.WaitForExit();
    }

    private static (long Heap, long Rss) Memory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static string Line(string name, List<double> samples)
    {
        if (samples.Count == 0)
        {
            return $"| {name} | – | – | – | 0 |";
        }

        samples.Sort();
        double At(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        return $"| {name} | {At(0.5):0.0} ms | {At(0.95):0.0} ms | {samples[^1]:0.0} ms | {samples.Count} |";
    }
}

internal sealed record BenchOptions(int Requests, int Warmup, int Pages, int HubClients, int QueueRows)
{
    public static BenchOptions Parse(string[] args)
    {
        int Value(string name, int fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
        }

        return new(Value("requests", 60), Value("warmup", 10), Value("pages", 25), Value("hub-clients", 1000), Value("rows", 20));
    }
}

/// <summary>Wall-clock milliseconds, the clock the browser's performance.timeOrigin is also on.</summary>
internal static class Clock
{
    public static double NowMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
}
