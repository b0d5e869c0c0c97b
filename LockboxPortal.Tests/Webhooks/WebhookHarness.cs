using LockboxPortal.Features.Notifications;
using LockboxPortal.Features.Webhooks;
using LockboxPortal.Tests.Infrastructure;
using LockboxPortal.Tests.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Webhooks;

/// <summary>
/// The service harness with email to a real SMTP server, a real webhook receiver on a local port, and the fake
/// clock set to the real time: the receiver checks <c>webhook-timestamp</c> against its own clock, as a stock
/// receiver does.
/// </summary>
internal sealed class WebhookHarness : IAsyncDisposable
{
    private WebhookHarness(EmailHarness email, TestWebhookReceiver receiver)
    {
        Email = email;
        Receiver = receiver;
    }

    public EmailHarness Email { get; }

    public ServiceHarness Services => Email.Services;

    public TestWebhookReceiver Receiver { get; }

    public WebhookService Webhooks => Services.Services.GetRequiredService<WebhookService>();

    /// <summary>
    /// The receiver listens on loopback, which the portal refuses by default (<see cref="WebhookSettings.AllowPrivateNetworks"/>):
    /// these tests allow it, as an operator with receivers in their own network would. Each attempt is one try unless a
    /// test asks for quick <paramref name="retries"/>, whose waits it then drives on the fake clock.
    /// </summary>
    public static async Task<WebhookHarness> CreateAsync(bool allowPrivateNetworks = true, int retries = 0)
    {
        var email = await EmailHarness.CreateAsync(more: s => s.Configure<WebhookSettings>(o => (o.AllowPrivateNetworks, o.Retries) = (allowPrivateNetworks, retries)));
        email.Services.Time.SetUtcNow(DateTimeOffset.UtcNow);
        return new WebhookHarness(email, await TestWebhookReceiver.StartAsync());
    }

    /// <summary>Contoso's officer adds an endpoint at the receiver; the receiver is given the secret shown once.</summary>
    public async Task<CreatedWebhook> AddContosoEndpointAsync(WebhookKind kind = WebhookKind.Standard, params string[] eventTypes)
    {
        var created = await Webhooks.CreateAsync(ServiceHarness.ContosoOfficer, Services.Contoso,
            new WebhookInput(kind, Receiver.Url, eventTypes.Length > 0 ? eventTypes : ["AccessRequest.InternalApproved"]));
        Receiver.Secret = created.Secret;
        return created;
    }

    public Task<OutboxPass> DispatchAsync() => Email.DispatchAsync();

    public async Task<List<OutboxMessage>> WebhookMessagesAsync()
    {
        await using var db = Services.NewContext();
        return await db.OutboxMessages.AsNoTracking().Where(m => m.Channel == OutboxChannel.Webhook).OrderBy(m => m.CreatedAt).ToListAsync();
    }

    public async Task<WebhookEndpoint> EndpointAsync(Guid id)
    {
        await using var db = Services.NewContext();
        return await db.Set<WebhookEndpoint>().AsNoTracking().SingleAsync(e => e.Id == id);
    }

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Email.DisposeAsync();
    }
}
