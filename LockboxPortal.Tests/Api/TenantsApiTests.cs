using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary><c>GET /api/v1/tenants</c>: what an engineer filing through the API learns of each tenant's policy first.</summary>
public sealed class TenantsApiTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        // Northwind refuses legal requests and requires its catalogue of one entry; Contoso keeps the demo's policy.
        await using var db = portal.NewContext();
        var northwind = await db.Tenants.SingleAsync(t => t.Id == DemoData.NorthwindId);
        northwind.ChangePolicy(northwind.Policy with { RefusedReasons = RequestReasons.LegalOrRegulatory, RequireCatalogue = true });
        if (!await db.ScopeCatalogueEntries.AnyAsync(e => e.TenantId == DemoData.NorthwindId))
        {
            db.ScopeCatalogueEntries.Add(new ScopeCatalogueEntry(DemoData.NorthwindId, "Sql:database/*", AccessLevel.Read, TimeSpan.FromHours(2), DateTimeOffset.UtcNow));
        }

        await db.SaveChangesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Dictionary<string, JsonElement>> ListAsync(string who)
    {
        using var client = portal.Client(who);
        var response = await client.GetAsync("/api/v1/tenants");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.EnumerateArray().ToDictionary(t => t.GetProperty("shortName").GetString()!);
    }

    [Fact]
    public async Task Engineer_SeesEachTenantsReasonsLimitsAndRequiredCatalogue()
    {
        var tenants = await ListAsync(Engineer);

        var contoso = tenants["contoso"];
        Assert.Equal(DemoData.ContosoId, contoso.GetProperty("id").GetGuid());
        Assert.Equal(["customerSupport", "providerIncident", "maintenance", "legalOrRegulatory"],
            contoso.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Null, contoso.GetProperty("catalogue").ValueKind);
        Assert.True(contoso.GetProperty("maxDurationMinutes").GetInt32() >= contoso.GetProperty("defaultDurationMinutes").GetInt32());

        var northwind = tenants["northwind"];
        Assert.DoesNotContain("legalOrRegulatory", northwind.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        var entry = Assert.Single(northwind.GetProperty("catalogue").EnumerateArray());
        Assert.Equal("Sql:database/*", entry.GetProperty("pattern").GetString());
        Assert.Equal("read", entry.GetProperty("maxAccessLevel").GetString());
        Assert.Equal(120, entry.GetProperty("maxDurationMinutes").GetInt32());
    }

    [Fact]
    public async Task WhatTheListSays_IsWhatFilingEnforces()
    {
        using var client = portal.Client(Engineer);
        object Filing(string scope, string reason) => new
        {
            tenantId = DemoData.NorthwindId, scope, accessLevel = "read", reason, justification = "Orders stopped syncing overnight.", durationMinutes = 60,
        };

        var outside = await client.PostAsJsonAsync("/api/v1/requests", Filing("Exchange:mailbox/ops@northwind.com", "maintenance"));
        var refusedReason = await client.PostAsJsonAsync("/api/v1/requests", Filing("Sql:database/orders", "legalOrRegulatory"));
        var inside = await client.PostAsJsonAsync("/api/v1/requests", Filing("Sql:database/invoices", "maintenance"));

        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.True((await ProblemAsync(outside)).GetProperty("errors").TryGetProperty("Scope", out _));
        Assert.Equal(HttpStatusCode.BadRequest, refusedReason.StatusCode);
        Assert.True((await ProblemAsync(refusedReason)).GetProperty("errors").TryGetProperty("Reason", out _));
        Assert.True(inside.StatusCode == HttpStatusCode.Created, await inside.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Manager)]
    [InlineData(Approver1)]
    [InlineData(ContosoOfficer)]
    [InlineData(NorthwindApprover)]
    [InlineData(ServiceClient)]
    public async Task WithoutTheEngineerRole_Is403Problem(string who)
    {
        using var client = portal.Client(who);

        var response = await client.GetAsync("/api/v1/tenants");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/forbidden", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task WithoutAToken_Is401Problem()
    {
        using var client = portal.Client(null);

        var response = await client.GetAsync("/api/v1/tenants");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/unauthenticated", (await ProblemAsync(response)).GetProperty("type").GetString());
    }
}
