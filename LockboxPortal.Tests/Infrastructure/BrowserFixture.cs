using LockboxPortal.Data;
using LockboxPortal.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// One headless Debian Chromium for all browser tests; each test opens its own contexts (one per person).
/// Playwright never downloads a browser here: the test script installs Debian's chromium.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing; run the README's test command, which installs it.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>A running portal on a real port, its own database, and helpers to act as demo people in Chromium.</summary>
public sealed class LivePortal : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<IBrowserContext> _contexts = [];
    private readonly IBrowser _browser;

    public LivePortal(
        IBrowser browser, string environment = "Development", IReadOnlyDictionary<string, string?>? settings = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        _browser = browser;
        Factory = new PortalFactory(_folder.File("lockbox.db"), environment, realPort: true);
        if (services is not null)
        {
            Factory.WithServices(services);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            Factory.With(key, value);
        }

        BaseUrl = Factory.StartOnRealPort();
    }

    public PortalFactory Factory { get; }

    public string BaseUrl { get; }

    /// <summary>A context on the running portal's own database, to arrange what the pages do not and check what they stored.</summary>
    public LockboxDbContext NewContext() => Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();

    /// <summary>A tenant's policy as stored now.</summary>
    public async Task<Features.Tenants.TenantPolicy> PolicyOfAsync(Guid tenantId)
    {
        await using var db = NewContext();
        return (await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId)).Policy;
    }

    /// <summary>
    /// The demo's Contoso asks for a fresh code with each decision. Tests of other parts of a decision's journey turn
    /// that off here (sign-in still needs the code); FreshFactorBrowserTests and PasskeyDecisionBrowserTests test it on.
    /// </summary>
    public async Task<LivePortal> WithoutFreshFactorAtContosoAsync()
    {
        await ArrangePolicyAsync(DemoData.ContosoId, policy => policy with { RequireFreshFactor = false });
        return this;
    }

    /// <summary>Sets a tenant's policy straight in storage, as a test's arrangement (the policy page's own path is tested on its own).</summary>
    public async Task ArrangePolicyAsync(Guid tenantId, Func<Features.Tenants.TenantPolicy, Features.Tenants.TenantPolicy> change)
    {
        await using var db = NewContext();
        var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId);
        tenant.ChangePolicy(change(tenant.Policy));
        await db.SaveChangesAsync();
    }

    /// <summary>A fresh browser context (its own cookies) signed in as <paramref name="email"/>.</summary>
    public async Task<IPage> SignInAsync(string email, string password = PortalFactory.DemoPassword)
    {
        var page = await NewPageAsync();
        return await SignInAsync(page, email, password);
    }

    /// <summary>Signs in as <paramref name="email"/> in <paramref name="context"/> (whose base URL names the portal) and waits for the circuit.</summary>
    public static async Task<IPage> SignInAsync(IBrowserContext context, string email, string password = PortalFactory.DemoPassword) =>
        await SignInAsync(await context.NewPageAsync(), email, password);

    /// <summary>Signs in as <paramref name="email"/> on <paramref name="page"/>, with the demo authenticator's code where asked.</summary>
    public static async Task<IPage> SignInAsync(IPage page, string email, string password = PortalFactory.DemoPassword)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await LeaveAsync(page, email, url => url.EndsWith("/account/login", StringComparison.Ordinal));
        if (page.Url.Contains("/account/login-2fa", StringComparison.Ordinal))
        {
            // Contoso's demo people have an authenticator: enter the code it shows now.
            await page.FillAsync("#code", Totp.Now(PortalFactory.DemoAuthenticatorKey));
            await page.ClickAsync("button[type=submit]");
        }

        await LeaveAsync(page, email, url => url.Contains("/account/login", StringComparison.Ordinal));
        await page.Locator(".mud-layout[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 45_000 });
        return page;
    }

    /// <summary>
    /// Waits for the sign-in step to hand over to the next page. The first post to a portal just started runs through
    /// code not yet compiled, so on a busy machine it gets longer than the default; when the page stays, the failure
    /// says what the page said.
    /// </summary>
    private static async Task LeaveAsync(IPage page, string email, Func<string, bool> stillSigningIn)
    {
        try
        {
            // Only until the next page's response commits: whether it is ready is the circuit's to say (WaitForInteractiveAsync),
            // not the load event, which a busy machine can hold back behind the page's last script.
            await page.WaitForURLAsync(url => !stillSigningIn(url), new PageWaitForURLOptions { Timeout = 45_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException ex)
        {
            var said = await page.Locator("main, body").First.InnerTextAsync(new LocatorInnerTextOptions { Timeout = 2_000 });
            throw new TimeoutException($"Signing in as {email} stayed on {page.Url}, which says: {said}", ex);
        }
    }

    /// <summary>
    /// A page in a fresh browser context (its own cookies), signed in as nobody yet. <paramref name="host"/> replaces
    /// the address's host (WebAuthn needs a domain such as <c>localhost</c>, not an IP address).
    /// </summary>
    public async Task<IPage> NewPageAsync(string? host = null)
    {
        var address = host is null ? BaseUrl : new UriBuilder(BaseUrl) { Host = host }.Uri.ToString().TrimEnd('/');
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address });
        context.SetDefaultTimeout(15_000);
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>Waits until the Blazor circuit is up, so clicks reach the server.</summary>
    public static async Task WaitForInteractiveAsync(IPage page) =>
        await page.Locator(".mud-layout[data-interactive=true]").WaitForAsync();

    /// <summary>
    /// Waits for the page of the request just filed. Filing is the first write a fresh portal does (audit chain, outbox,
    /// mail), so on a busy machine it takes longer than the default; when the form stays, the failure says what it said.
    /// </summary>
    public static async Task WaitForFiledRequestAsync(IPage engineer)
    {
        try
        {
            await engineer.WaitForURLAsync(url => System.Text.RegularExpressions.Regex.IsMatch(url, "/requests/[0-9a-f-]{36}$"),
                new PageWaitForURLOptions { Timeout = 45_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException ex)
        {
            var said = await engineer.Locator("main, body").First.InnerTextAsync(new LocatorInnerTextOptions { Timeout = 2_000 });
            throw new TimeoutException($"Filing stayed on {engineer.Url}, which says: {said}", ex);
        }
    }

    /// <summary>Fills the new-request form as an engineer (Contoso, Ana's mailbox) and submits it.</summary>
    public static async Task SubmitNewRequestAsync(IPage engineer)
    {
        await engineer.GotoAsync("/requests/new");
        await WaitForInteractiveAsync(engineer);
        await SelectAsync(engineer, "tenant", "Contoso");
        await SelectAsync(engineer, "reason", "Maintenance");
        await engineer.Locator("[data-testid=scope] input, input[data-testid=scope]").First.FillAsync("Exchange:mailbox/ana@contoso.com");
        await engineer.Locator("[data-testid=justification] textarea, textarea[data-testid=justification]").First
            .FillAsync("Calendar items vanish after the migration; need to read the mailbox folders.");
        await engineer.ClickAsync("[data-testid=submit]");
    }

    /// <summary>Opens a MudSelect and picks the option with the given text.</summary>
    public static async Task SelectAsync(IPage page, string testId, string option)
    {
        await page.Locator($"[data-testid={testId}]").Locator("xpath=ancestor-or-self::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasText = option }).First.ClickAsync();

        // The list closes once the circuit took the choice, so what the test does next sees it chosen.
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        await Factory.DisposeAsync();
        _folder.Dispose();
    }
}
