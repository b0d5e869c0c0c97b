using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Accessibility;

/// <summary>The whole life of a request with the keyboard alone: Tab to reach things, Enter, arrows and typing to use them.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class KeyboardBrowserTests(BrowserFixture browser)
{
    private const int MaxTabs = 80;

    [Fact]
    public async Task FileApproveInternallyApproveAsCustomerAndRevoke_WithTheKeyboardAlone()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();

        // The engineer files.
        var engineer = await portal.SignInAsync("engineer@fabrikam.test");
        await engineer.GotoAsync("/requests/new");
        await LivePortal.WaitForInteractiveAsync(engineer);
        await TabToAsync(engineer, "[data-testid=tenant]");
        await engineer.Keyboard.PressAsync("Enter");
        await Assertions.Expect(engineer.Locator(".mud-popover-open .mud-list-item").First).ToBeVisibleAsync();
        await engineer.Keyboard.PressAsync("ArrowDown");
        await engineer.Keyboard.PressAsync("Enter");
        await Assertions.Expect(engineer.Locator("[data-testid=tenant] input, input[data-testid=tenant]").First).ToHaveValueAsync("Contoso");
        await TabToAsync(engineer, "[data-testid=reason]");
        await engineer.Keyboard.PressAsync("Enter");
        await Assertions.Expect(engineer.Locator(".mud-popover-open .mud-list-item").First).ToBeVisibleAsync();
        await engineer.Keyboard.PressAsync("ArrowDown");
        await engineer.Keyboard.PressAsync("Enter");
        await Assertions.Expect(engineer.Locator("[data-testid=reason] input, input[data-testid=reason]").First).ToHaveValueAsync("Customer-initiated support");
        await TabToAsync(engineer, "[data-testid=scope]");
        await engineer.Keyboard.TypeAsync("Exchange:mailbox/kim@contoso.com");
        await TabToAsync(engineer, "[data-testid=justification]");
        await engineer.Keyboard.TypeAsync("Kim's shared calendar lost its permissions; need to read them.");
        await TabToAsync(engineer, "[data-testid=ticket]");
        await engineer.Keyboard.TypeAsync("CASE-4711");
        await TabToAsync(engineer, "[data-testid=submit]");
        await engineer.Keyboard.PressAsync("Enter");
        await LivePortal.WaitForFiledRequestAsync(engineer);
        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToHaveTextAsync("Awaiting manager");
        var reference = (await engineer.Locator("[data-testid=reference]").InnerTextAsync()).Trim();
        var requestPath = new Uri(engineer.Url).AbsolutePath;

        // The manager approves the internal stage from the queue; Escape first closes the dialog and gives focus back.
        var manager = await portal.SignInAsync("manager@fabrikam.test");
        await manager.GotoAsync("/queue/internal");
        await LivePortal.WaitForInteractiveAsync(manager);
        await TabToAsync(manager, $"tr:has-text('{reference}') [data-testid=approve]");
        await manager.Keyboard.PressAsync("Enter");
        await Assertions.Expect(manager.Locator("[data-testid=dialog-summary]")).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator(".mud-dialog")).ToHaveCountAsync(1);
        await Assertions.Expect(FocusInside(manager, ".mud-dialog")).ToHaveCountAsync(1);
        for (var i = 0; i < 8; i++)
        {
            await manager.Keyboard.PressAsync("Tab");
            await Assertions.Expect(FocusInside(manager, ".mud-dialog-container")).ToHaveCountAsync(1);
        }

        await manager.Keyboard.PressAsync("Escape");
        await Assertions.Expect(manager.Locator("[data-testid=dialog-summary]")).ToHaveCountAsync(0);
        await Assertions.Expect(manager.Locator($"tr:has-text('{reference}') [data-testid=approve]")).ToBeFocusedAsync();
        await manager.Keyboard.PressAsync("Enter");
        await Assertions.Expect(manager.Locator("[data-testid=dialog-summary]")).ToBeVisibleAsync();
        await TabToAsync(manager, "[data-testid=decision-confirm]", within: ".mud-dialog");
        await manager.Keyboard.PressAsync("Enter");
        await Assertions.Expect(manager.Locator($"tr:has-text('{reference}')")).ToHaveCountAsync(0);

        // Contoso's approver approves from the request page; the grant opens.
        var approver = await portal.SignInAsync("approver1@contoso.test");
        await approver.GotoAsync(requestPath);
        await LivePortal.WaitForInteractiveAsync(approver);
        await TabToAsync(approver, "[data-testid=approve]");
        await approver.Keyboard.PressAsync("Enter");
        await TabToAsync(approver, "[data-testid=decision-comment]", within: ".mud-dialog");
        await approver.Keyboard.TypeAsync("Fine for two hours.");
        await TabToAsync(approver, "[data-testid=decision-confirm]", within: ".mud-dialog");
        await approver.Keyboard.PressAsync("Enter");
        await Assertions.Expect(approver.Locator("[data-testid=status]")).ToHaveTextAsync("Approved");
        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToHaveTextAsync("Approved");

        // The approver revokes it, giving a reason in the dialog.
        await TabToAsync(approver, "[data-testid=revoke]");
        await approver.Keyboard.PressAsync("Enter");
        await TabToAsync(approver, "[data-testid=revoke-reason]", within: ".mud-dialog");
        await approver.Keyboard.TypeAsync("The work is done.");
        await TabToAsync(approver, "[data-testid=revoke-confirm]", within: ".mud-dialog");
        await approver.Keyboard.PressAsync("Enter");
        await Assertions.Expect(approver.Locator("[data-testid=status]")).ToHaveTextAsync("Revoked");
        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToHaveTextAsync("Revoked");
        var id = Guid.Parse(requestPath[(requestPath.LastIndexOf('/') + 1)..]);
        Assert.Equal(RequestStatus.Revoked, await DemoRequests.StatusAsync(portal, id));
    }

    /// <summary>Presses Tab until the focused element is (inside) <paramref name="selector"/>; fails when it never gets there.</summary>
    private static async Task TabToAsync(IPage page, string selector, string? within = null)
    {
        var target = page.Locator(within is null ? selector : $"{within} {selector}").First;
        await Assertions.Expect(target).ToBeVisibleAsync();
        for (var i = 0; i < MaxTabs; i++)
        {
            if (await target.EvaluateAsync<bool>("(el) => el === document.activeElement || el.contains(document.activeElement)"))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached {selector} (focus is on {await page.EvaluateAsync<string>("() => document.activeElement?.outerHTML.slice(0, 200)")}).");
    }

    /// <summary>The focused element, if it lies inside <paramref name="selector"/> (Playwright waits for it to get there).</summary>
    private static ILocator FocusInside(IPage page, string selector) => page.Locator($"{selector} :focus");
}
