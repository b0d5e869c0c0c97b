using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// The two-person rule on the policy page, as Northwind's two officers use it: Nora turns the rule on and proposes a
/// higher quorum; the page shows her the change waiting (before → after) with nothing applied; Nils approves it on his
/// page, and it takes effect; Nora's page clears without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class TwoPersonRuleBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheFirstOfficerProposes_TheSecondSeesBeforeAndAfter_AndApproves()
    {
        await using var portal = new LivePortal(browser.Browser);
        var nora = await portal.SignInAsync("officer@northwind.test");
        await nora.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(nora);
        await Assertions.Expect(nora.Locator("[data-testid=policy-tenant-name]")).ToHaveTextAsync("Northwind");

        // The rule is off, so turning it on applies at once (Northwind has two officers).
        await nora.Locator("[data-testid=require-second-officer]").ClickAsync();
        await nora.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(nora.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "Policy saved." })).ToHaveCountAsync(1);
        Assert.True((await portal.PolicyOfAsync(DemoData.NorthwindId)).RequireSecondOfficer);
        await Assertions.Expect(nora.Locator("[data-testid=no-pending-changes]")).ToBeVisibleAsync();

        // Now a change is only proposed: the quorum stays 1 and Nora may withdraw, not approve.
        var quorum = nora.Locator("[data-testid=required-approvals] input, input[data-testid=required-approvals]").First;
        await quorum.FillAsync("2");
        await quorum.PressAsync("Tab");
        await nora.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(nora.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "second security officer approves" })).ToHaveCountAsync(1);
        await Assertions.Expect(nora.Locator("[data-testid=pending-change]")).ToHaveCountAsync(1);
        await Assertions.Expect(nora.Locator("[data-testid=withdraw-change]")).ToBeVisibleAsync();
        await Assertions.Expect(nora.Locator("[data-testid=approve-change]")).ToHaveCountAsync(0);
        Assert.Equal(1, (await portal.PolicyOfAsync(DemoData.NorthwindId)).RequiredApprovals);

        var nils = await portal.SignInAsync("officer2@northwind.test");
        await nils.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(nils);
        var line = nils.Locator("[data-testid=pending-line]").Filter(new LocatorFilterOptions { HasText = "Required approvals" });
        await Assertions.Expect(line.Locator("td")).ToHaveTextAsync(["Required approvals", "1", "2"]);
        await Assertions.Expect(nils.Locator("[data-testid=pending-change]")).ToContainTextAsync("Proposed by Nora Officer");

        await nils.ClickAsync("[data-testid=approve-change]");
        await Assertions.Expect(nils.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "Approved and applied" })).ToHaveCountAsync(1);
        await Assertions.Expect(nils.Locator("[data-testid=no-pending-changes]")).ToBeVisibleAsync();
        Assert.Equal(2, (await portal.PolicyOfAsync(DemoData.NorthwindId)).RequiredApprovals);

        // Nora's open page follows: the proposal is gone.
        await Assertions.Expect(nora.Locator("[data-testid=no-pending-changes]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task UnderTheRule_GivingTheOfficerRoleOnPeople_IsOnlyProposed_AndAppliesWhenTheSecondOfficerApproves()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.ArrangePolicyAsync(DemoData.NorthwindId, policy => policy with { RequireSecondOfficer = true });

        var nora = await portal.SignInAsync("officer@northwind.test");
        await nora.GotoAsync("/tenant/people");
        await LivePortal.WaitForInteractiveAsync(nora);
        var person = nora.Locator("tr").Filter(new LocatorFilterOptions { HasText = "approver@northwind.test" });
        await person.Locator("[data-testid=grant-SecurityOfficer]").ClickAsync();
        await Assertions.Expect(nora.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "once a second security officer approves" })).ToHaveCountAsync(1);
        await Assertions.Expect(person.Locator("[data-testid=role-SecurityOfficer]")).ToHaveCountAsync(0);

        var nils = await portal.SignInAsync("officer2@northwind.test");
        await nils.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(nils);
        await Assertions.Expect(nils.Locator("[data-testid=pending-change]")).ToContainTextAsync("a security officer");
        await nils.ClickAsync("[data-testid=approve-change]");
        await Assertions.Expect(nils.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "Approved and applied" })).ToHaveCountAsync(1);

        await nora.ReloadAsync();
        await LivePortal.WaitForInteractiveAsync(nora);
        await Assertions.Expect(person.Locator("[data-testid=role-SecurityOfficer]")).ToHaveCountAsync(1);
    }
}
