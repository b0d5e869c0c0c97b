using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// The escalation part of the policy page, as Northwind's officer uses it: escalation needs someone on the escalation
/// list and a moment inside the pending window; each mistake is told beside its field and saves nothing.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class EscalationPolicyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheOfficer_TurnsEscalationOn_OnlyWithSomeoneToEscalateTo_AndWithinThePendingWindow()
    {
        await using var portal = new LivePortal(browser.Browser);
        var deputyId = await NewNorthwindTenantAdminAsync(portal, "deputy@northwind.test", "Dana Deputy");
        var officer = await portal.SignInAsync("officer@northwind.test");
        await officer.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(officer);
        await Assertions.Expect(officer.Locator("[data-testid=policy-tenant-name]")).ToHaveTextAsync("Northwind");
        await Assertions.Expect(officer.Locator("[data-testid=escalate-hours] input, input[data-testid=escalate-hours]").First).ToBeDisabledAsync();

        // On, with nobody on the escalation list: told so, and nothing is saved.
        await officer.Locator("[data-testid=escalate]").ClickAsync();
        var hours = officer.Locator("[data-testid=escalate-hours] input, input[data-testid=escalate-hours]").First;
        await hours.FillAsync("4");
        await hours.PressAsync("Tab");
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("Add someone to the escalation list before turning escalation on.");
        Assert.Null((await portal.PolicyOfAsync(DemoData.NorthwindId)).EscalateAfter);

        // Dana goes on the escalation list; escalating after the request has expired is refused beside the field.
        await LivePortal.SelectAsync(officer, "escalation-candidate", "Dana Deputy");
        await officer.ClickAsync("[data-testid=add-escalation]");
        await Assertions.Expect(officer.Locator("[data-testid=escalation-row]")).ToContainTextAsync("Dana Deputy");
        await hours.FillAsync("12");
        await hours.PressAsync("Tab");
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("Escalation must come within the pending window: from 1 to 11 hours");
        Assert.Null((await portal.PolicyOfAsync(DemoData.NorthwindId)).EscalateAfter);

        await hours.FillAsync("4");
        await hours.PressAsync("Tab");
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "Policy saved." })).ToHaveCountAsync(1);
        Assert.Equal(TimeSpan.FromHours(4), (await portal.PolicyOfAsync(DemoData.NorthwindId)).EscalateAfter);
        await using var db = portal.NewContext();
        Assert.True(await db.EscalationListEntries.AnyAsync(e => e.TenantId == DemoData.NorthwindId && e.UserId == deputyId));
    }

    /// <summary>A TenantAdmin of Northwind who is not on its approver list, so the officer can put them on the escalation list.</summary>
    private static async Task<string> NewNorthwindTenantAdminAsync(LivePortal portal, string email, string name)
    {
        await using var db = portal.NewContext();
        var user = new PortalUser { Id = Guid.NewGuid().ToString(), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(), DisplayName = name };
        db.Users.Add(user);
        db.Memberships.Add(new Membership(user.Id, DemoData.NorthwindId, PortalRole.TenantAdmin));
        await db.SaveChangesAsync();
        return user.Id;
    }
}
