using Microsoft.Playwright;

namespace LiveQueueBench;

/// <summary>
/// An open approval queue in Chromium. A MutationObserver stamps the moment each reference appears or
/// disappears (no timers, which Chromium throttles in background tabs); stamps are converted to this process's
/// wall clock with an offset measured at opening.
/// </summary>
internal sealed class ApproverPage
{
    private const string Observer = """
        () => {
            const seen = {}, shownWaits = {}, goneWaits = {};
            const now = () => performance.timeOrigin + performance.now();
            const scan = () => {
                const t = now();
                const present = new Set();
                for (const el of document.querySelectorAll('[data-testid=queue] [data-testid=reference]')) {
                    const r = el.textContent.trim();
                    present.add(r);
                    if (!(r in seen)) { seen[r] = t; if (shownWaits[r]) shownWaits[r](t); }
                }
                for (const r of Object.keys(goneWaits)) {
                    if (!present.has(r)) { goneWaits[r](t); delete goneWaits[r]; }
                }
            };
            new MutationObserver(scan).observe(document.body, { childList: true, subtree: true, characterData: true });
            window.__whenShown = r => r in seen ? Promise.resolve(seen[r]) : new Promise(res => { shownWaits[r] = res; });
            window.__whenGone = r => new Promise(res => { goneWaits[r] = res; scan(); });
            window.__now = now;
            scan();
        }
        """;

    private readonly IPage _page;
    private double _offset;

    private ApproverPage(IPage page) => _page = page;

    public static async Task<ApproverPage> OpenAsync(IBrowserContext context, int rows)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/queue/approvals");
        await page.Locator(".mud-layout[data-interactive=true]").WaitForAsync();
        await page.Locator("[data-testid=queue] [data-testid=reference]").Nth(rows - 1).WaitForAsync();
        await page.EvaluateAsync(Observer);
        var approver = new ApproverPage(page);
        await approver.CalibrateAsync();
        return approver;
    }

    public async Task<double> WhenShownAsync(string reference) =>
        await _page.EvaluateAsync<double>("r => window.__whenShown(r)", reference) - _offset;

    public async Task<double> WhenGoneAsync(string reference) =>
        await _page.EvaluateAsync<double>("r => window.__whenGone(r)", reference) - _offset;

    public async Task LeaveAsync() => await _page.GotoAsync("about:blank");

    /// <summary>Browser clock minus ours, from the round trip with the least uncertainty.</summary>
    private async Task CalibrateAsync()
    {
        var best = double.MaxValue;
        for (var i = 0; i < 15; i++)
        {
            var before = Clock.NowMs();
            var browser = await _page.EvaluateAsync<double>("() => window.__now()");
            var after = Clock.NowMs();
            if (after - before < best)
            {
                best = after - before;
                _offset = browser - (before + after) / 2;
            }
        }
    }
}
