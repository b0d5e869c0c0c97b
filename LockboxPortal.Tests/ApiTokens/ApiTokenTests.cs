using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.ApiTokens;

/// <summary>Personal tokens and service clients: lifetime, revocation, who may create them, the console commands.</summary>
public sealed class ApiTokenTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private ApiTokenService Tokens(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<ApiTokenService>();

    private async Task<string> UserIdAsync(string email)
    {
        await using var db = portal.NewContext();
        return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
    }

    [Fact]
    public async Task PersonalToken_ActsAsItsOwner_AndStopsAtOnceWhenRevoked()
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var owner = ServiceHarness.As(await UserIdAsync(Engineer));
        var created = await Tokens(scope).CreatePersonalAsync(owner, "laptop", 7);
        using var client = portal.Client(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", created.Token);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/requests")).StatusCode);
        var listed = Assert.Single(await Tokens(scope).ListMineAsync(owner), t => t.Id == created.View.Id);
        Assert.NotNull(listed.LastUsedAt);

        await Tokens(scope).RevokeAsync(owner, created.View.Id);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/requests")).StatusCode);
        await using var db = portal.NewContext();
        Assert.Equal(64, (await db.ApiTokens.SingleAsync(t => t.Id == created.View.Id)).TokenHash.Length);
        Assert.False(await db.ApiTokens.AnyAsync(t => t.TokenHash == created.Token));
        Assert.True(await db.AuditEntries.AnyAsync(e => e.EventType == AuditEventType.ApiToken_Revoked && e.SubjectId == created.View.Id.ToString()));
    }

    [Fact]
    public async Task ServiceClientToken_RememberedForTheHotPath_StopsAtOnceWhenRevoked_AndCachesNoRefusal()
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var admin = ServiceHarness.As(await UserIdAsync(ProviderAdmin));
        var created = await Tokens(scope).CreateServiceClientAsync(admin, "mail data plane " + Guid.NewGuid().ToString("N")[..6]);
        using var client = portal.Client(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", created.Token);
        var body = new { tenant = "contoso", engineer = Engineer, scope = "Exchange:mailbox/x", accessLevel = "read" };

        // Read once, then from memory: the token's row is no longer what answers.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/access-checks", body)).StatusCode);
        var cache = portal.Factory.Services.GetRequiredService<ServiceClientTokenCache>();
        Assert.Equal(created.View.Id, cache.Find(Features.Tenants.SecretToken.Hash(created.Token))?.TokenId);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/access-checks", body)).StatusCode);

        await Tokens(scope).RevokeAsync(admin, created.View.Id);

        Assert.Null(cache.Find(Features.Tenants.SecretToken.Hash(created.Token)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/access-checks", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/access-checks", body)).StatusCode);
    }

    [Fact]
    public void ARevokedToken_ReadJustBeforeItsRevocation_IsNotPutBackInTheCache()
    {
        var transport = new InProcessEventTransport(Microsoft.Extensions.Logging.Abstractions.NullLogger<InProcessEventTransport>.Instance);
        using var cache = new ServiceClientTokenCache(new TokenNotifier(transport), TimeProvider.System);
        var id = Guid.NewGuid();

        cache.Remember("h1", id, "data plane", null);
        Assert.NotNull(cache.Find("h1"));
        cache.Forget(id);
        cache.Remember("h1", id, "data plane", null);

        Assert.Null(cache.Find("h1"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(91)]
    public async Task PersonalToken_LongerThan90DaysOrNone_IsRefused(int days)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var engineer = ServiceHarness.As(await UserIdAsync(Engineer));
        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => Tokens(scope).CreatePersonalAsync(engineer, "x", days));
        Assert.Contains("ExpiresInDays", ex.Errors.Keys);
    }

    [Fact]
    public async Task PersonalToken_CannotBeRevokedBySomeoneElse()
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var created = await Tokens(scope).CreatePersonalAsync(ServiceHarness.As(await UserIdAsync(Engineer)), "mine", 7);

        var admin = ServiceHarness.As(await UserIdAsync(ProviderAdmin));
        await Assert.ThrowsAsync<NotFoundException>(() => Tokens(scope).RevokeAsync(admin, created.View.Id));
    }

    [Theory]
    [InlineData(ProviderAdmin, true)]
    [InlineData(Engineer, false)]
    [InlineData(Manager, false)]
    [InlineData(ContosoOfficer, false)]
    public async Task ServiceClients_AreCreatedOnlyByTheProviderAdmin(string who, bool allowed)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var principal = ServiceHarness.As(await UserIdAsync(who));
        if (allowed)
        {
            var created = await Tokens(scope).CreateServiceClientAsync(principal, "sharepoint data plane");
            Assert.StartsWith(ApiToken.ClientPrefix, created.Token);
            Assert.Contains(await Tokens(scope).ListServiceClientsAsync(principal), c => c.Id == created.View.Id);
        }
        else
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => Tokens(scope).CreateServiceClientAsync(principal, "sneaky"));
            Assert.Empty(await Tokens(scope).ListServiceClientsAsync(principal));
        }
    }

    [Fact]
    public async Task PortalCookie_NeverAuthenticatesAnApiCall()
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var login = await SignInTests.PostLoginAsync(client, Engineer, PortalFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/requests/mine")).StatusCode);

        var api = await client.GetAsync("/api/v1/requests");

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryEndpoint()
    {
        using var client = portal.Client(null);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        string[] operations =
        [
            "post /api/v1/requests", "get /api/v1/requests", "get /api/v1/requests/{id}", "post /api/v1/requests/{id}/decision",
            "post /api/v1/requests/{id}/cancel", "post /api/v1/requests/{id}/revoke", "post /api/v1/requests/{id}/release",
            "get /api/v1/requests/{id}/grant-token", "post /api/v1/requests/{id}/extensions", "post /api/v1/requests/{id}/questions",
            "post /api/v1/requests/{id}/questions/{questionId}/answer", "get /api/v1/tenants", "post /api/v1/access-checks", "get /api/v1/grant-events",
            "get /.well-known/jwks.json", "get /api/v1/audit/checkpoint-key",
            "post /api/v1/grants/{requestId}/activity", "get /api/v1/grants/{requestId}/activity",
            "post /api/v1/emergencies", "post /api/v1/emergencies/{id}/review",
        ];
        foreach (var operation in operations)
        {
            var (method, path) = (operation.Split(' ')[0], operation.Split(' ')[1]);
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{operation} is missing");
        }

        Assert.Equal(operations.Select(o => o.Split(' ')[1]).Distinct().Count(), paths.EnumerateObject().Count());
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("FileRequestBody").GetProperty("properties").TryGetProperty("reason", out _), "the filing names its reason");
        Assert.True(schemas.GetProperty("RequestResponse").GetProperty("properties").TryGetProperty("reason", out _), "a request shows its reason");
        Assert.True(schemas.GetProperty("FileableTenantResponse").GetProperty("properties").TryGetProperty("catalogue", out _), "a tenant shows its catalogue");
    }
}

/// <summary><c>dotnet run -- tokens ...</c>, in-process against the database of a running app, whose API then accepts the token.</summary>
public sealed class TokenCommandTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private async Task<(int? ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = "Development", ContentRootPath = Path.GetDirectoryName(portal.Factory.DatabasePath) });
        builder.Configuration.AddInMemoryCollection(portal.Factory.DatabaseSettings);
        builder.Services.AddLockboxPortal(builder.Configuration, builder.Environment);
        await using var app = builder.Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await app.RunConsoleCommandAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task CreateClient_PrintsATokenOnce_ThatCanCheckAccess_AuditedAsTheConsole()
    {
        var (exitCode, output, _) = await RunAsync("tokens", "create-client", "--name", "mail data plane");

        Assert.Equal(0, exitCode);
        var token = output.Trim();
        Assert.StartsWith(ApiToken.ClientPrefix, token);
        using var client = portal.Client(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var check = await client.PostAsJsonAsync("/api/v1/access-checks", new { tenant = "contoso", engineer = Engineer, scope = "Exchange:mailbox/x", accessLevel = "read" });
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        await using var db = portal.NewContext();
        var entry = await db.AuditEntries.OrderByDescending(e => e.Id).FirstAsync(e => e.EventType == AuditEventType.ServiceClient_Created);
        Assert.Equal("console", entry.ActorId);
    }

    [Fact]
    public async Task CreatePersonal_PrintsATokenActingAsThatPerson()
    {
        var (exitCode, output, _) = await RunAsync("tokens", "create", "--user", Engineer, "--name", "ci", "--expires-days", "7");

        Assert.Equal(0, exitCode);
        using var client = portal.Client(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", output.Trim());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/requests")).StatusCode);
        await using var db = portal.NewContext();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.EventType == AuditEventType.ApiToken_Created && e.ActorId == "console"));
    }

    [Theory]
    [InlineData("tokens", "create", "--user", "nobody@nowhere.test", "--name", "x")]
    [InlineData("tokens", "create", "--user", Engineer, "--name", "x", "--expires-days", "365")]
    [InlineData("tokens", "create", "--user", Engineer, "--name", "x", "--expires-days", "soon")]
    [InlineData("tokens", "create-client")]
    [InlineData("tokens", "bogus")]
    public async Task BadArguments_FailWithoutAToken(params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(args);

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", output);
        Assert.NotEqual("", error);
    }
}

/// <summary>Each token has its own budget; over it, a 429 problem with Retry-After.</summary>
public sealed class ApiRateLimitTests : IAsyncLifetime
{
    private readonly RateLimitedPortal _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public Task DisposeAsync() => _portal.DisposeAsync();

    [Fact]
    public async Task OverTheLimit_Is429WithRetryAfter_PerToken()
    {
        using var engineer = _portal.Client(Engineer);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await engineer.GetAsync("/api/v1/requests")).StatusCode);
        }

        var refused = await engineer.GetAsync("/api/v1/requests");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("https://lockboxportal.dev/problems/rate-limited", (await ProblemAsync(refused)).GetProperty("type").GetString());
        using var manager = _portal.Client(Manager);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/api/v1/requests")).StatusCode);
    }

    [Fact]
    public async Task EverySpellingOfTheSameToken_SharesOneBudget()
    {
        using var client = _portal.Client(null);
        var token = _portal.TokenOf(Engineer);
        foreach (var header in new[] { "Bearer " + token, "bearer " + token, "BEARER   " + token + "  " })
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, header)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(client, "bEaReR " + token)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(client, "Bearer " + token)).StatusCode);
    }

    [Fact]
    public async Task CallersWithoutATokenInShape_ShareOneBudgetPerAddress_ThatNoTokenCountsAgainst()
    {
        using var client = _portal.Client(null);
        foreach (var header in new[] { "Bearer not-a-token", "Basic dXNlcjpwYXNz", null })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, header)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(client, "Bearer another-guess")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, "Bearer " + _portal.TokenOf(Engineer))).StatusCode);
    }

    [Fact]
    public async Task UnknownToken_IsLimited_BeforeItIsLookedUp()
    {
        using var client = _portal.Client(null);
        const string unknown = "Bearer lbxp_NotIssuedByThisPortal0000000000000000000";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, unknown)).StatusCode);
        }

        // With authentication in front of the limiter, the fourth call would be refused as unknown (401), uncounted.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(client, unknown)).StatusCode);
    }

    [Fact]
    public async Task ThreeHundredCallsWithBadTokens_FromOneClient_Meet429s_WhileAKnownTokenGoesOn()
    {
        using var client = _portal.Client(null);
        var known = "Bearer " + _portal.TokenOf(Manager);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, known)).StatusCode);

        // Each guess is a different token in the portal's shape, so a budget per token would let every one through.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 300; i++)
        {
            answers.Add((await SendAsync(client, $"Bearer lbxp_{Guid.NewGuid():N}{Guid.NewGuid():N}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, answers[0]);
        Assert.All(answers, status => Assert.Contains(status, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.True(answers.Count(s => s == HttpStatusCode.TooManyRequests) >= 200, $"{answers.Count(s => s == HttpStatusCode.TooManyRequests)} of 300 met 429");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, known)).StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/requests");
        if (authorization is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
        }

        return client.SendAsync(request);
    }

    private sealed class RateLimitedPortal : ApiPortalFixture
    {
        protected override PortalFactory CreateFactory(string databasePath) =>
            new PortalFactory(databasePath).With("Api:RateLimit:PersonalPermits", "3").With("Api:RateLimit:WindowSeconds", "600");
    }
}
