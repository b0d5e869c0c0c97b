using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// The real app with demo data and a personal API token for every demo person, plus a service client. Tests file
/// their own requests, so they can share one app.
/// </summary>
public class ApiPortalFixture : IAsyncLifetime
{
    public const string Engineer = "engineer@fabrikam.test";
    public const string Engineer2 = "engineer2@fabrikam.test";
    public const string Manager = "manager@fabrikam.test";
    public const string ProviderAdmin = "admin@fabrikam.test";
    public const string Approver1 = "approver1@contoso.test";
    public const string Approver2 = "approver2@contoso.test";
    public const string ContosoOfficer = "officer@contoso.test";
    public const string NorthwindApprover = "approver@northwind.test";
    public const string NorthwindOfficer = "officer@northwind.test";
    public const string ServiceClient = "service-client";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, string> _tokens = new();

    public PortalFactory Factory { get; private set; } = default!;

    protected virtual PortalFactory CreateFactory(string databasePath) =>
        new PortalFactory(databasePath).With("Api:RateLimit:PersonalPermits", "100000");

    public async Task InitializeAsync()
    {
        Factory = CreateFactory(_folder.File("lockbox.db"));
        Factory.CreateClient().Dispose();
        await using var scope = Factory.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
        foreach (var person in DemoData.People)
        {
            _tokens[person.Email] = (await tokens.CreatePersonalFromConsoleAsync(person.Email, "tests", 7)).Token;
        }

        _tokens[ServiceClient] = (await tokens.CreateServiceClientFromConsoleAsync("data plane")).Token;

        // The demo's Contoso requires two-factor, which a personal token never carries. These tests exercise the API
        // itself with Contoso's approvers, so their portal relaxes it; ApiSecondFactorTests turns it on to test it.
        await using var db = NewContext();
        var contoso = await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId);
        contoso.ChangePolicy(contoso.Policy with { RequireTwoFactor = false });
        await db.SaveChangesAsync();
    }

    public string TokenOf(string who) => _tokens[who];

    /// <summary>A client that calls the API as <paramref name="who"/> (an email, or <see cref="ServiceClient"/>), or anonymously.</summary>
    public HttpClient Client(string? who)
    {
        var client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (who is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[who]);
        }

        return client;
    }

    public LockboxDbContext NewContext() => Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();

    /// <summary>Files a fresh request as the engineer and returns its id.</summary>
    public async Task<Guid> FileAsync(Guid? tenant = null, string scope = "Exchange:mailbox/ana@contoso.com", string accessLevel = "read", string who = Engineer)
    {
        using var client = Client(who);
        var response = await client.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = tenant ?? DemoData.ContosoId,
            scope,
            accessLevel,
            reason = "maintenance", justification = "Customer reports missing calendar items in the mailbox.",
            ticketReference = "SR-42",
            durationMinutes = 60,
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<Guid> PendingCustomerAsync(Guid? tenant = null, string scope = "Exchange:mailbox/ana@contoso.com")
    {
        var id = await FileAsync(tenant, scope);
        await DecideAsync(Manager, id, "approve");
        return id;
    }

    public async Task<Guid> ApprovedAsync(Guid? tenant = null, string scope = "Exchange:mailbox/ana@contoso.com")
    {
        var id = await PendingCustomerAsync(tenant, scope);
        await DecideAsync((tenant ?? DemoData.ContosoId) == DemoData.ContosoId ? Approver1 : NorthwindApprover, id, "approve");
        return id;
    }

    public async Task<HttpResponseMessage> DecideAsync(string who, Guid id, string decision, bool ensure = true)
    {
        using var client = Client(who);
        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision, comment = "ok" });
        if (ensure)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        return response;
    }

    public async Task<JsonElement> CheckAsync(string engineer = Engineer, string tenant = "contoso", string scope = "Exchange:mailbox/ana@contoso.com", string accessLevel = "read")
    {
        using var client = Client(ServiceClient);
        var response = await client.PostAsJsonAsync("/api/v1/access-checks", new { tenant, engineer, scope, accessLevel });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        _folder.Dispose();
    }
}
