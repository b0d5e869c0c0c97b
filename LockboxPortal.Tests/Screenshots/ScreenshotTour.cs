using System.Text.RegularExpressions;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Screenshots;

/// <summary>Runs only when <see cref="Variable"/> names a folder: docs/screenshots/make.sh sets it.</summary>
public sealed class ScreenshotFactAttribute : FactAttribute
{
    public const string Variable = "LOCKBOX_SCREENSHOTS";

    public ScreenshotFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"Takes the documentation's screenshots when {Variable} names a folder (docs/screenshots/make.sh).";
        }
    }
}

/// <summary>
/// A screenshot of every page (found from the assembly) at 1440 px and 375 px wide, light and dark, each as the first
/// demo person who may open it, on a fresh portal with the demo data.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ScreenshotTour(BrowserFixture browser)
{
    private static readonly string[] People =
        ["engineer@fabrikam.test", "manager@fabrikam.test", "approver1@contoso.test", "officer@contoso.test", "admin@fabrikam.test"];

    [ScreenshotFact]
    public async Task EveryPage_At1440And375_LightAndDark()
    {
        var folder = Path.GetFullPath(Environment.GetEnvironmentVariable(ScreenshotFactAttribute.Variable)!);
        Directory.CreateDirectory(folder);
        await using var portal = new LivePortal(browser.Browser);
        var signedIn = new Dictionary<string, IPage>();
        var anonymous = await (await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl })).NewPageAsync();
        var taken = 0;

        foreach (var portalPage in PortalPages.All())
        {
            var path = await PortalPages.ConcreteAsync(portalPage.Template, portal.Factory.Services);
            var page = portalPage.Anonymous ? anonymous : await FirstWhoMayOpenAsync(portal, signedIn, path);
            if (page is null)
            {
                continue;
            }

            foreach (var (width, height) in new[] { (1440, 900), (375, 812) })
            {
                foreach (var dark in new[] { false, true })
                {
                    await page.SetViewportSizeAsync(width, height);
                    await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light });
                    await OpenAsync(page, path);
                    await page.ScreenshotAsync(new PageScreenshotOptions
                    {
                        Path = Path.Combine(folder, $"{Slug(portalPage.Template)}-{width}-{(dark ? "dark" : "light")}.png"),
                        FullPage = true,
                        Animations = ScreenshotAnimations.Disabled,
                    });
                    taken++;
                }
            }
        }

        await anonymous.Context.DisposeAsync();
        Assert.True(taken >= PortalPages.All().Count * 4 - 4 * 4, $"Only {taken} screenshots were taken.");
    }

    /// <summary>The page signed in as the first demo person it neither sends to "access denied" nor tells "not found".</summary>
    private static async Task<IPage?> FirstWhoMayOpenAsync(LivePortal portal, Dictionary<string, IPage> signedIn, string path)
    {
        foreach (var email in People)
        {
            if (!signedIn.TryGetValue(email, out var page))
            {
                signedIn[email] = page = await portal.SignInAsync(email);
            }

            await page.SetViewportSizeAsync(1440, 900);
            await OpenAsync(page, path);
            // Someone who may not see this request gets "Request not found" on its own address: the next person, then.
            if (new Uri(page.Url).AbsolutePath == path
                && !(await page.Locator("h1").AllTextContentsAsync()).Any(h => h.Contains("not found", StringComparison.OrdinalIgnoreCase)))
            {
                return page;
            }
        }

        return null;
    }

    private static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        if (await page.Locator(".mud-layout").CountAsync() > 0)
        {
            await LivePortal.WaitForInteractiveAsync(page);
        }

        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>"/requests/{Id:guid}" → "requests-id", "/" → "overview".</summary>
    private static string Slug(string template)
    {
        var slug = NotWord().Replace(Parameter().Replace(template, m => m.Groups[1].Value), "-").Trim('-').ToLowerInvariant();
        return slug.Length == 0 ? "overview" : slug;
    }

    [GeneratedRegex(@"\{([^}:?]+)[^}]*\}")]
    private static partial Regex Parameter();

    [GeneratedRegex("[^A-Za-z0-9]+")]
    private static partial Regex NotWord();
}
