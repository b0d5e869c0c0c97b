using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>The real app with its demo tenants: one portal for the class, fresh cookies per test.</summary>
public sealed class AuditPortalFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public AuditPortalFixture()
    {
        Factory = new PortalFactory(_folder.File("lockbox.db"));
    }

    public PortalFactory Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        _folder.Dispose();
    }
}

/// <summary>The audit routes over HTTP: downloads, verify and the page, by whoever is signed in.</summary>
public sealed class AuditHttpTests(AuditPortalFixture portal) : IClassFixture<AuditPortalFixture>
{
    private static readonly string Contoso = DemoData.ContosoId.ToString();
    private static readonly string Northwind = DemoData.NorthwindId.ToString();

    private async Task<HttpClient> SignedInAsync(string email, string? userAgent = null)
    {
        var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (userAgent is not null)
        {
            client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        }

        var response = await LockboxPortal.Tests.Hosting.SignInTests.SignInAsync(client, email);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    [Fact]
    public async Task NorthwindOfficer_CannotReadExportOrVerifyContosoTrail_ByAnyRoute()
    {
        using var contosoOfficer = await SignedInAsync("officer@contoso.test");
        using var client = await SignedInAsync("officer@northwind.test");

        foreach (var url in new[]
        {
            $"/audit/export?chain={Contoso}&format=json",
            $"/audit/export?chain={Contoso}&format=csv",
            $"/audit/export?chain={Contoso.ToUpperInvariant()}&format=json&eventType=SignIn_Succeeded",
            $"/audit/verify?chain={Contoso}",
        })
        {
            var response = await client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {response.StatusCode}");
            Assert.DoesNotContain("Olga Officer", body);
            Assert.DoesNotContain("\"hash\"", body);
        }

        var page = await client.GetAsync($"/audit?chain={Contoso}");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("No such audit trail.", html);
        Assert.DoesNotContain("audit-row", html);
        Assert.DoesNotContain("Olga Officer", html);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/audit/export?chain=provider&format=json")).StatusCode);
    }

    [Fact]
    public async Task NorthwindOfficer_ReadsExportsAndVerifiesNorthwindTrail()
    {
        using var client = await SignedInAsync("officer@northwind.test");

        var export = await client.GetAsync($"/audit/export?chain={Northwind}&format=json");
        var json = await export.Content.ReadAsStringAsync();
        var verify = await client.GetFromJsonAsync<JsonElement>($"/audit/verify?chain={Northwind}");
        var pageResponse = await client.GetAsync("/audit");
        var page = await pageResponse.Content.ReadAsStringAsync();
        Assert.True(pageResponse.IsSuccessStatusCode, page[..Math.Min(page.Length, 3000)]);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(@"^intact, \d+ entries$", IndependentChainVerifier.VerifyJson(json));
        Assert.Contains("Nora Officer", json);
        Assert.True(verify.GetProperty("isIntact").GetBoolean());
        Assert.Contains("audit-row", page);
        Assert.Contains("Nora Officer", page);
    }

    [Fact]
    public async Task ContosoOfficer_ExportsCsvOfOwnTrail()
    {
        using var client = await SignedInAsync("officer@contoso.test");

        var export = await client.GetAsync($"/audit/export?chain={Contoso}&format=csv");

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^intact, \d+ entries$", IndependentChainVerifier.VerifyCsv(await export.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ProviderAdmin_ExportsTheProviderTrailButNotATenants()
    {
        using var client = await SignedInAsync("admin@fabrikam.test");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/audit/export?chain=provider&format=json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/audit/export?chain={Contoso}&format=json")).StatusCode);
    }

    [Fact]
    public async Task PeopleWhoReadNoTrail_AreTurnedAwayBeforeTheService()
    {
        using var engineer = await SignedInAsync("engineer@fabrikam.test");
        using var anonymous = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var asEngineer = await engineer.GetAsync("/audit/export?chain=provider&format=json");
        var asAnonymous = await anonymous.GetAsync($"/audit/export?chain={Contoso}&format=json");

        Assert.NotEqual(HttpStatusCode.OK, asEngineer.StatusCode);
        Assert.Contains("access-denied", asEngineer.Headers.Location?.ToString() ?? "");
        Assert.Contains("/account/login", asAnonymous.Headers.Location?.ToString() ?? "");
    }

    [Fact]
    public async Task SignInAndSignOut_AreRecordedInTheTenantsChain_WithTheClient()
    {
        using var client = await SignedInAsync("approver@northwind.test", "audit-tests/1.0");
        var signOut = await StaticForms.PostAsync(client, "/", "", new Dictionary<string, string>(), action: "/account/logout");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.ChainId == DemoData.NorthwindId && e.ActorName == "Noah Approver").OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal([AuditEventType.SignIn_Succeeded, AuditEventType.SignOut], entries.Select(e => e.EventType).TakeLast(2));
        Assert.All(entries.TakeLast(2), e => Assert.Equal("audit-tests/1.0", e.UserAgent));
    }

    [Theory]
    [InlineData("/audit/export?format=json")]
    [InlineData("/audit/export?chain=not-a-chain&format=json")]
    [InlineData("/audit/export?chain=provider&format=xml")]
    [InlineData("/audit/verify")]
    public async Task BadQuery_IsAProblemNotAnError(string url)
    {
        using var client = await SignedInAsync("admin@fabrikam.test");

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
