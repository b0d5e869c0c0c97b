using Deque.AxeCore.Playwright;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Accessibility;

/// <summary>
/// axe on every page (found from the assembly, so new pages are included) as every role, in light and dark mode:
/// a serious or critical violation fails, and so does a page without exactly one h1 and one main landmark.
/// The markup does not depend on the database, so test.sh runs these on SQLite only (<see cref="TestPasses"/>).
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class AxeBrowserTests(BrowserFixture browser)
{
    public static TheoryData<string> People() =>
    [
        "engineer@fabrikam.test", "manager@fabrikam.test", "admin@fabrikam.test", "approver1@contoso.test", "officer@contoso.test",
    ];

    [Theory]
    [MemberData(nameof(People))]
    public async Task EveryPage_AsThisPerson_HasNoSeriousViolations_OneH1_AndAMainLandmark(string email)
    {
        await using var portal = new LivePortal(browser.Browser);
        var page = await portal.SignInAsync(email);
        var failures = new List<string>();
        var seen = new HashSet<string>();
        foreach (var portalPage in PortalPages.All().Where(p => !p.Anonymous))
        {
            await CheckAsync(portal, page, portalPage, failures, seen);
        }

        Assert.True(failures.Count == 0, $"As {email}:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task EverySignInPage_WithoutSigningIn_HasNoSeriousViolations_OneH1_AndAMainLandmark()
    {
        await using var portal = new LivePortal(browser.Browser);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl });
        var page = await context.NewPageAsync();
        var failures = new List<string>();
        var seen = new HashSet<string>();
        foreach (var portalPage in PortalPages.All().Where(p => p.Anonymous))
        {
            await CheckAsync(portal, page, portalPage, failures, seen);
        }

        await context.DisposeAsync();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static async Task CheckAsync(LivePortal portal, IPage page, PortalPage portalPage, List<string> failures, HashSet<string> seen)
    {
        var path = await PortalPages.ConcreteAsync(portalPage.Template, portal.Factory.Services);
        foreach (var dark in new[] { false, true })
        {
            try
            {
                await CheckOnceAsync(page, path, dark, failures, seen);
            }
            catch (TimeoutException ex)
            {
                failures.Add($"{path} ({(dark ? "dark" : "light")}): {ex.Message.Split('\n')[0]}");
            }
        }
    }

    private static async Task CheckOnceAsync(IPage page, string path, bool dark, List<string> failures, HashSet<string> seen)
    {
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light });
        await page.GotoAsync(path);

        // A page this person may not open sends them to "access denied", a static page like the other account pages;
        // those have one look per colour scheme, so each is checked once in each.
        var interactive = await page.Locator(".mud-layout").CountAsync() > 0;
        var landed = new Uri(page.Url).AbsolutePath;
        if (!interactive && !seen.Add($"{landed} {dark}"))
        {
            return;
        }

        if (interactive)
        {
            await LivePortal.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", dark ? "dark" : "light");
        }

        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var where = landed == path ? $"{path} ({(dark ? "dark" : "light")})" : $"{path} → {landed}";
        var results = await page.RunAxe();
        foreach (var violation in results.Violations.Where(v => v.Impact is "serious" or "critical"))
        {
            var nodes = string.Join("; ", violation.Nodes.Take(3).Select(n => n.Html));
            failures.Add($"{where}: {violation.Impact} {violation.Id} ({violation.Help}): {nodes}");
        }

        var h1 = await page.Locator("h1").CountAsync();
        var main = await page.Locator("main, [role=main]").CountAsync();
        if (h1 != 1 || main != 1)
        {
            failures.Add($"{where}: {h1} h1 and {main} main landmarks, expected one of each");
        }
    }
}
