using LockboxPortal.Features.Notifications;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Notifications;

/// <summary>The service harness with email pointed at a real SMTP server on a local port, and the outbox's dispatcher.</summary>
internal sealed class EmailHarness : IAsyncDisposable
{
    public const string PublicUrl = "https://lockbox.test";

    private EmailHarness(ServiceHarness services, TestSmtpServer smtp)
    {
        Services = services;
        Smtp = smtp;
    }

    public ServiceHarness Services { get; }

    public TestSmtpServer Smtp { get; }

    public OutboxDispatcher Dispatcher => Services.Services.GetRequiredService<OutboxDispatcher>();

    public static async Task<EmailHarness> CreateAsync(bool smtpListening = true, Action<IServiceCollection>? more = null)
    {
        var smtp = await TestSmtpServer.CreateAsync(smtpListening);
        var services = await ServiceHarness.CreateAsync(s =>
        {
            Configure(s, smtp.Port);
            more?.Invoke(s);
        });
        return new EmailHarness(services, smtp);
    }

    /// <summary>The <c>Email:*</c> and <c>Portal:PublicUrl</c> settings for a server on <paramref name="port"/>, as a second app instance would have them.</summary>
    public static void Configure(IServiceCollection services, int port)
    {
        services.Configure<EmailSettings>(o =>
        {
            o.Smtp.Host = "127.0.0.1";
            o.Smtp.Port = port;
            o.Smtp.Security = SmtpSecurity.None;
            o.From = "LockboxPortal <lockbox@lockbox.test>";
        });
        services.Configure<PortalSettings>(o => o.PublicUrl = PublicUrl);
    }

    /// <summary>Sends what is due now, as the dispatcher's pass would.</summary>
    public Task<OutboxPass> DispatchAsync() => Dispatcher.RunOnceAsync();

    /// <summary>The messages received with this event type, by recipient.</summary>
    public Dictionary<string, TestSmtpServer.Received> Received(string type) =>
        Smtp.Messages.Where(m => m.Message.Headers["X-Lockbox-Event"] == type).ToDictionary(m => m.To);

    public async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var db = Services.NewContext();
        return await db.OutboxMessages.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
