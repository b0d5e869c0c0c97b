using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Audit;

/// <summary>An operation taken in the portal (a Blazor circuit, no HttpContext of its own) records the browser's address and user agent.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class ClientRecordedBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task FilingInThePortal_RecordsTheBrowsersAddressAndUserAgent()
    {
        await using var portal = new LivePortal(browser.Browser);
        var engineer = await portal.SignInAsync("engineer@fabrikam.test");
        var userAgent = await engineer.EvaluateAsync<string>("navigator.userAgent");

        await LivePortal.SubmitNewRequestAsync(engineer);
        await Assertions.Expect(engineer).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/requests/[0-9a-f-]{36}$"), new() { Timeout = 30_000 });
        var id = engineer.Url[^36..];

        await using var db = await portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
        var filed = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.SubjectId == id && e.EventType == AuditEventType.AccessRequest_Filed);
        Assert.Equal("127.0.0.1", filed.ClientAddress);
        Assert.Equal(userAgent, filed.UserAgent);
        Assert.Contains("Chrome", filed.UserAgent, StringComparison.Ordinal);
    }
}
