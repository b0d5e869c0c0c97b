using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Notifications;

/// <summary>The real app, stopped with undelivered email in its outbox and started again on the same database file.</summary>
public sealed class OutboxRestartTests
{
    [Fact]
    public async Task TheAppStoppedWithUndeliveredEmail_DeliversEachMessageOnce_AfterItStartsAgain()
    {
        using var folder = new TempFolder();
        var database = folder.File("lockbox.db");
        await using var smtp = await TestSmtpServer.CreateAsync(listening: false);

        // First run: the mail server is down; filing and the manager's approval succeed regardless.
        AccessRequest pending;
        await using (var first = WithEmail(new PortalFactory(database), smtp.Port))
        {
            pending = await PendingCustomerAsync(first.Services);
        }

        await using var db0 = NewContext(database);
        var unsent = await db0.OutboxMessages.Where(m => m.SentAt == null).CountAsync();
        Assert.True(unsent >= 2, $"the approvers' emails wait in the outbox ({unsent})");

        // Second run, with the mail server back; its clock is past the retry pause and any lease the first run held.
        await smtp.StartAsync();
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow + OutboxDispatcher.Lease + TimeSpan.FromMinutes(5));
        await using var second = WithEmail(new PortalFactory(database), smtp.Port).WithServices(s => s.AddSingleton<TimeProvider>(later));
        var dispatcher = second.Services.GetRequiredService<OutboxDispatcher>();
        using var passes = new SemaphoreSlim(0);
        dispatcher.PassCompleted += _ => passes.Release();
        await smtp.WaitForAsync(unsent);

        // The mail server has every message; the pass that sent them marks them sent when it completes.
        await using var db = NewContext(database);
        while (await db.OutboxMessages.AsNoTracking().AnyAsync(m => m.SentAt == null))
        {
            Assert.True(await passes.WaitAsync(TimeSpan.FromSeconds(30)), "the running dispatcher completes its pass");
        }

        Assert.Equal(0, (await dispatcher.RunOnceAsync()).Sent);
        var rows = await db.OutboxMessages.AsNoTracking().ToListAsync();
        Assert.All(rows, m => Assert.NotNull(m.SentAt));
        Assert.Equal(rows.Count, smtp.Messages.Count);
        Assert.Equal(rows.Select(m => $"{m.Id:N}@lockboxportal").Order(), smtp.Messages.Select(m => m.Message.MessageId).Order());
        var approvers = smtp.Messages.Where(m => m.Message.Subject == $"{pending.Reference} awaits your approval (Contoso)").Select(m => m.To).Order();
        Assert.Equal(["approver1@contoso.test", "approver2@contoso.test", "operator@msp.test"], approvers);
    }

    private static PortalFactory WithEmail(PortalFactory factory, int port) => factory
        .With("Email:Smtp:Host", "127.0.0.1")
        .With("Email:Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With("Email:Smtp:Security", "None")
        .With("Email:From", "LockboxPortal <lockbox@lockbox.test>")
        .With("Portal:PublicUrl", "https://lockbox.test");

    private static async Task<AccessRequest> PendingCustomerAsync(IServiceProvider app)
    {
        await using var scope = app.CreateAsyncScope();
        var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
        var filed = await requests.FileAsync(await PersonAsync(app, "engineer@fabrikam.test"), new FileRequestInput(
            DemoData.ContosoId, "Exchange:mailbox/ana@contoso.com", AccessLevel.Read, "Customer reports missing calendar items.", "SR-9", TimeSpan.FromHours(1), Reason: RequestReason.Maintenance));
        return await requests.DecideInternalAsync(await PersonAsync(app, "manager@fabrikam.test"), filed.Id, approve: true, "ok");
    }

    private static async Task<ClaimsPrincipal> PersonAsync(IServiceProvider app, string email)
    {
        await using var db = app.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], "Test"));
    }

    private static LockboxDbContext NewContext(string database) => TestDatabase.NewContext(database);
}
