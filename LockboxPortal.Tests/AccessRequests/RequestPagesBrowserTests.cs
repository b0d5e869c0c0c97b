using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>The requests list and the request page, in Chromium against the running app.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class RequestPagesBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task RequestsPage_PagesThroughEveryRequest_AndFiltersByStatus()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();
        for (var i = 0; i < 12; i++)
        {
            await DemoRequests.FileAsync(portal, $"Exchange:mailbox/user{i:00}@contoso.com");
        }

        // The manager sees the provider's requests: the demo data's four and the twelve filed, ten a page.
        var manager = await portal.SignInAsync("manager@fabrikam.test");
        await manager.GotoAsync("/requests");
        await LivePortal.WaitForInteractiveAsync(manager);
        var rows = manager.Locator("[data-testid=request-row]");
        await Assertions.Expect(manager.Locator("[data-testid=page-summary]")).ToHaveTextAsync("1–10 of 16");
        await Assertions.Expect(rows).ToHaveCountAsync(10);
        var firstPage = await rows.Locator("[data-testid=row-reference]").AllInnerTextsAsync();

        await manager.Locator("[data-testid=pager] button[aria-label='Go to the next page'], [data-testid=pager] .mud-pagination-item:has-text('2') button").First.ClickAsync();
        await Assertions.Expect(manager.Locator("[data-testid=page-summary]")).ToHaveTextAsync("11–16 of 16");
        await Assertions.Expect(rows).ToHaveCountAsync(6);
        var secondPage = await rows.Locator("[data-testid=row-reference]").AllInnerTextsAsync();
        Assert.Empty(firstPage.Intersect(secondPage));

        // Only the approved one (the demo data's Northwind grant).
        await LivePortal.SelectAsync(manager, "status-filter", "Approved");
        await Assertions.Expect(manager.Locator("[data-testid=page-summary]")).ToHaveTextAsync("1–1 of 1");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Locator("[data-testid=row-status]")).ToHaveTextAsync("Approved");
        await Assertions.Expect(manager.Locator("[data-testid=pager]")).ToHaveCountAsync(0);

        // Awaiting the manager: the twelve filed and the demo data's one, over two pages again.
        await LivePortal.SelectAsync(manager, "status-filter", "Awaiting manager");
        await Assertions.Expect(manager.Locator("[data-testid=page-summary]")).ToHaveTextAsync("1–10 of 13");
        foreach (var status in await rows.Locator("[data-testid=row-status]").AllInnerTextsAsync())
        {
            Assert.Equal("Awaiting manager", status.Trim());
        }
    }

    [Fact]
    public async Task RequestsPage_ShowsAnEngineerOnlyTheirOwn_AndSearchFindsByScope()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();
        var engineer = await portal.SignInAsync("engineer2@fabrikam.test");
        await engineer.GotoAsync("/requests");
        await LivePortal.WaitForInteractiveAsync(engineer);

        // The demo data gives the second engineer two requests (SharePoint finance, the CEO's mailbox) and the first engineer two.
        var rows = engineer.Locator("[data-testid=request-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(engineer.Locator("[data-testid=requests]")).Not.ToContainTextAsync("Sql:database/orders");

        await engineer.Locator("[data-testid=search] input, input[data-testid=search]").First.FillAsync("finance");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("SharePoint:site/finance");
    }

    [Fact]
    public async Task AnApprover_DecidesFromTheRequestPage_AndAfterTheFirstOfTwoApprovalsSeesYouApproved()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();
        await DemoRequests.RequireApprovalsAsync(portal, 2);
        var request = await DemoRequests.AwaitingCustomerAsync(portal);

        var first = await portal.SignInAsync("approver1@contoso.test");
        await first.GotoAsync($"/requests/{request.Id}");
        await LivePortal.WaitForInteractiveAsync(first);
        await Assertions.Expect(first.Locator("[data-testid=approvals-count]")).ToHaveTextAsync("0 of 2");
        await first.ClickAsync("[data-testid=approve]");
        await Assertions.Expect(first.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("SharePoint:site/hr");
        await first.ClickAsync("[data-testid=decision-confirm]");

        // The first approval counts; the approver is told so instead of being offered the buttons again.
        await Assertions.Expect(first.Locator("[data-testid=you-approved]")).ToBeVisibleAsync();
        await Assertions.Expect(first.Locator("[data-testid=approve]")).ToHaveCountAsync(0);
        await Assertions.Expect(first.Locator("[data-testid=reject]")).ToHaveCountAsync(0);
        await Assertions.Expect(first.Locator("[data-testid=approvals-count]")).ToHaveTextAsync("1 of 2");
        await Assertions.Expect(first.Locator("[data-testid=approved-by]")).ToContainTextAsync("Alex Approver");

        // The second approver approves from the same page: the grant opens, and both pages show it.
        var second = await portal.SignInAsync("approver2@contoso.test");
        await second.GotoAsync($"/requests/{request.Id}");
        await LivePortal.WaitForInteractiveAsync(second);
        await second.ClickAsync("[data-testid=approve]");
        await second.ClickAsync("[data-testid=decision-confirm]");
        await Assertions.Expect(second.Locator("[data-testid=status]")).ToHaveTextAsync("Approved");
        await Assertions.Expect(second.Locator("[data-testid=revoke]")).ToBeVisibleAsync();
        await Assertions.Expect(first.Locator("[data-testid=status]")).ToHaveTextAsync("Approved");
        await Assertions.Expect(second.Locator("[data-testid=request-history]")).ToContainTextAsync("Avery Approver");
        Assert.Equal(RequestStatus.Approved, await DemoRequests.StatusAsync(portal, request.Id));
    }

    [Theory]
    [InlineData(1440, 900)]
    [InlineData(375, 812)]
    public async Task AJustificationOf300CharactersWithoutSpaces_KeepsApproveAndRejectOnScreen(int width, int height)
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();
        var justification = "https://support.example.com/" + new string('x', 300 - 28);
        Assert.Equal(300, justification.Length);
        var request = await DemoRequests.AwaitingCustomerAsync(portal, "SharePoint:site/" + new string('s', 120), justification);

        var approver = await portal.SignInAsync("approver1@contoso.test");
        await approver.SetViewportSizeAsync(width, height);
        await approver.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(approver);
        var row = approver.Locator("tr").Filter(new LocatorFilterOptions { HasText = request.Reference });
        await row.Locator("[data-testid=justification-toggle]").ClickAsync();
        await Assertions.Expect(row.Locator("[data-testid=justification]")).ToContainTextAsync(justification);
        await AssertOnScreenAsync(approver, row.Locator("[data-testid=approve]"), row.Locator("[data-testid=reject]"));
        if (width <= 600)
        {
            // A card: each cell on its own line, the width of the row, and nothing in the queue scrolls sideways.
            Assert.True(await row.EvaluateAsync<bool>("r => [...r.querySelectorAll(':scope > td')].every(td => getComputedStyle(td).display !== 'table-cell' && td.getBoundingClientRect().width >= r.getBoundingClientRect().width * 0.9)"),
                "The queue's row is not a card of full-width lines.");
            Assert.True(await approver.Locator("[data-testid=queue]").EvaluateAsync<bool>("q => [q, ...q.querySelectorAll('.mud-table-container, table, tbody, tbody > tr')].every(e => e.scrollWidth <= e.clientWidth + 1)"),
                "The queue scrolls sideways.");
        }

        await approver.GotoAsync($"/requests/{request.Id}");
        await LivePortal.WaitForInteractiveAsync(approver);
        await Assertions.Expect(approver.Locator("[data-testid=justification]")).ToHaveTextAsync(justification);
        await AssertOnScreenAsync(approver, approver.Locator("[data-testid=approve]"), approver.Locator("[data-testid=reject]"));
    }

    /// <summary>Both buttons can be brought into view by scrolling down alone: nothing is wider than the window.</summary>
    private static async Task AssertOnScreenAsync(IPage page, params ILocator[] buttons)
    {
        var width = page.ViewportSize!.Width;
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"The page scrolls sideways at {width} px.");
        foreach (var button in buttons)
        {
            await button.ScrollIntoViewIfNeededAsync();
            await Assertions.Expect(button).ToBeInViewportAsync(new LocatorAssertionsToBeInViewportOptions { Ratio = 1 });
            var box = await button.BoundingBoxAsync();
            Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= width, $"A button lies outside the {width} px window.");
        }
    }
}
