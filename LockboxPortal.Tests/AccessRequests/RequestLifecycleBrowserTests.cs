using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests;

[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class RequestLifecycleBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Engineer_Manager_And_Approver_TakeARequestFromFilingToApproved()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();

        // The engineer files a request and finds it under "My requests".
        var engineer = await portal.SignInAsync("engineer@fabrikam.test");
        await LivePortal.SubmitNewRequestAsync(engineer);
        await LivePortal.WaitForFiledRequestAsync(engineer);
        var reference = (await engineer.Locator("[data-testid=reference]").InnerTextAsync()).Trim();
        Assert.Matches("^LBX-\\d{4}-\\d{6}$", reference);
        await engineer.GotoAsync("/requests/mine");
        await Assertions.Expect(engineer.Locator($"[data-testid=status-{reference}]")).ToContainTextAsync("Awaiting manager");

        // The manager approves the internal stage.
        var manager = await portal.SignInAsync("manager@fabrikam.test");
        await manager.GotoAsync("/queue/internal");
        await LivePortal.WaitForInteractiveAsync(manager);
        await ApproveRowAsync(manager, reference);

        // A Contoso approver approves; the grant opens.
        var approver = await portal.SignInAsync("approver1@contoso.test");
        await approver.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(approver);
        await ApproveRowAsync(approver, reference);

        await engineer.GotoAsync("/requests/mine");
        await Assertions.Expect(engineer.Locator($"[data-testid=status-{reference}]")).ToContainTextAsync("Approved");
    }

    private static async Task ApproveRowAsync(IPage page, string reference)
    {
        var row = page.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference });
        await row.Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("ana@contoso.com");
        await page.ClickAsync("[data-testid=decision-confirm]");
        await Assertions.Expect(page.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference })).ToHaveCountAsync(0);
    }
}
