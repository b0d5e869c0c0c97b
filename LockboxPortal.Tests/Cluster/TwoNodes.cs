using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using LockboxPortal.Common;
using LockboxPortal.Data;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Cluster;

/// <summary>
/// Two real app servers on two loopback ports over one PostgreSQL database and one Redis, with demo data, a shared
/// fake clock (started at the real time, so browsers keep the cookies it dates) and API tokens for the demo people.
/// Node A starts first and seeds; B starts over the seeded database.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, string> _tokens = new();
    private readonly List<IBrowserContext> _contexts = [];

    private TwoNodes(string redis)
    {
        Redis = redis;
        A = Node();
        UrlA = A.StartOnRealPort();
        B = Node();
        UrlB = B.StartOnRealPort();
    }

    public FakeTimeProvider Time { get; } = new(TimeProvider.System.GetUtcNow());

    public string Redis { get; }

    /// <summary>The scope this cluster's requests and checks name, unlike any demo request's.</summary>
    public string Scope { get; } = $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";

    public PortalFactory A { get; }

    public PortalFactory B { get; }

    public string UrlA { get; }

    public string UrlB { get; }

    public static async Task<TwoNodes> StartAsync(string redis)
    {
        var nodes = new TwoNodes(redis);
        await using var scope = nodes.A.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
        foreach (var person in DemoData.People)
        {
            nodes._tokens[person.Email] = (await tokens.CreatePersonalFromConsoleAsync(person.Email, "tests", 7)).Token;
        }

        nodes._tokens[ApiPortalFixture.ServiceClient] = (await tokens.CreateServiceClientFromConsoleAsync("data plane")).Token;

        // The demo's Contoso requires two-factor, which a personal token never carries; these tests decide through
        // the API, so Contoso relaxes it (as in ApiPortalFixture).
        await using var db = nodes.A.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var contoso = await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId);
        contoso.ChangePolicy(contoso.Policy with { RequireTwoFactor = false });
        await db.SaveChangesAsync();
        return nodes;
    }

    private PortalFactory Node() =>
        new PortalFactory(_folder.File("lockbox.db"), realPort: true)
            .With("ConnectionStrings:" + LockboxSeams.RedisConnectionName, Redis)
            .With("Api:RateLimit:PersonalPermits", "100000")
            .With(PortalCertificate.PathKey, TestCertificate.Path)
            .With(PortalCertificate.PasswordKey, TestCertificate.Password)
            .WithServices(services => services.AddSingleton<TimeProvider>(Time));

    /// <summary>An API client on <paramref name="url"/> (node A's or B's) acting as <paramref name="who"/>.</summary>
    public HttpClient Client(string url, string? who)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        if (who is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[who]);
        }

        return client;
    }

    public async Task<(Guid Id, string Reference)> FileAsync(string url, string? scope = null)
    {
        using var client = Client(url, ApiPortalFixture.Engineer);
        var response = await client.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.ContosoId,
            scope = scope ?? Scope,
            accessLevel = "read",
            reason = "maintenance", justification = "Customer reports missing calendar items in the mailbox.",
            durationMinutes = 60,
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("reference").GetString()!);
    }

    public async Task<HttpResponseMessage> DecideAsync(string url, string who, Guid id, string decision = "approve")
    {
        using var client = Client(url, who);
        return await client.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision, comment = "ok" });
    }

    public async Task<Guid> ApprovedAsync(string url)
    {
        var (id, _) = await FileAsync(url);
        Assert.True((await DecideAsync(url, ApiPortalFixture.Manager, id)).IsSuccessStatusCode);
        Assert.True((await DecideAsync(url, ApiPortalFixture.Approver1, id)).IsSuccessStatusCode);
        return id;
    }

    public async Task<JsonElement> CheckAsync(string url)
    {
        using var client = Client(url, ApiPortalFixture.ServiceClient);
        var response = await client.PostAsJsonAsync("/api/v1/access-checks", new
        {
            tenant = "contoso", engineer = ApiPortalFixture.Engineer, scope = Scope, accessLevel = "read",
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A browser context of its own signed in as <paramref name="email"/> on <paramref name="url"/>.</summary>
    public async Task<IPage> SignInAsync(IBrowser browser, string url, string email)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = url });
        context.SetDefaultTimeout(20_000);
        _contexts.Add(context);
        return await LivePortal.SignInAsync(context, email);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        await B.DisposeAsync();
        await A.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>A Redis server of the test's own on a free loopback port, so the test can stop it and start it again.</summary>
public sealed class OwnRedis : IDisposable
{
    private Process? _server;

    public OwnRedis()
    {
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        Port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Start();
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public void Start()
    {
        _server = Process.Start(new ProcessStartInfo("redis-server", ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;

        // Ready when it accepts a connection.
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (!_server.HasExited)
            {
                Thread.Yield();
            }
        }
    }

    public void Stop()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            _server.WaitForExit();
        }

        _server?.Dispose();
        _server = null;
    }

    public void Dispose() => Stop();
}
