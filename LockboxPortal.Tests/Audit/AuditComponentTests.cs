using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Audit.Components;
using LockboxPortal.Features.Audit.Pages;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace LockboxPortal.Tests.Audit;

/// <summary>The audit page and a request's history, as a person sees and uses them.</summary>
public sealed class AuditComponentTests
{
    private static BunitContext Context(ServiceHarness harness, string userId)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddScoped<ViewerTimeZone>();
        context.Services.AddSingleton(TimeProvider.System);
        context.Services.AddSingleton(harness.Services.GetRequiredService<AuditService>());
        context.AddAuthorization().SetAuthorized(userId).SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        return context;
    }

    [Fact]
    public async Task AuditPage_ShowsTheOfficersTrail_AndVerifyReportsIntact()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        await AuditTestData.AppendAsync(harness, harness.Northwind, 2, actorName: "Nora Officer");
        await using var context = Context(harness, Cast.ContosoOfficer);

        var page = context.Render<AuditLog>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=audit-row]").Count));
        await page.InvokeAsync(() => page.Find("button[data-testid=audit-verify]").Click());

        page.WaitForAssertion(() => Assert.Contains("intact, 3 entries", page.Find("[data-testid=audit-verify-result]").TextContent));
        Assert.DoesNotContain("Nora Officer", page.Markup);
        Assert.Contains($"audit/export?chain={harness.Contoso}&amp;format=csv", page.Markup);
    }

    [Fact]
    public async Task AuditPage_AskedForAnotherTenantsTrail_ShowsNothingOfIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        await using var context = Context(harness, Cast.NorthwindOfficer);

        var navigation = context.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("chain", harness.Contoso.ToString()));

        var page = context.Render<AuditLog>();

        page.WaitForAssertion(() => Assert.Contains("No such audit trail.", page.Find("[data-testid=audit-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=audit-row]"));
    }

    [Fact]
    public async Task RequestHistory_ShowsOnBehalfOfAndTypedTextAsText()
    {
        var record = new AuditRecord(
            AuditEventType.AccessRequest_CustomerApproved, new Actor("b", "Bea"), Guid.NewGuid(), "AccessRequest", "r",
            AuditRecord.Details(new { Comment = "<b>fine</b> <script>alert(1)</script>" }), OnBehalfOf: new Actor("a", "Alex"));
        var entry = new AuditEntry(record.TenantId!.Value, 1, ServiceHarness.Start, record, AuditEntry.GenesisHash);
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddScoped<ViewerTimeZone>();
        context.Services.AddSingleton(TimeProvider.System);

        var history = context.Render<RequestHistory>(parameters => parameters.Add(p => p.Entries, [entry]));

        Assert.Contains("Customer approved by Bea on behalf of Alex", history.Find("[data-testid=history-item]").TextContent);
        Assert.Empty(history.FindAll("script"));
        Assert.Empty(history.FindAll("b"));
        Assert.Contains("&lt;script&gt;", history.Markup);
    }
}
