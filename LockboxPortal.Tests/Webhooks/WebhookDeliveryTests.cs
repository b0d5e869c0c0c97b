using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Features.Webhooks;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace LockboxPortal.Tests.Webhooks;

/// <summary>
/// Webhooks through the outbox to a real receiver on a local port that verifies with the stock StandardWebhooks
/// library: signed, retried with the outbox's backoff under the same <c>webhook-id</c>, logged, and disabled (in the
/// trail, its officers emailed) after repeated failures.
/// </summary>
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task ADelivery_IsSignedPerStandardWebhooks_AndTheStockLibraryVerifiesIt()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        var created = await hooks.AddContosoEndpointAsync();
        Assert.StartsWith("whsec_", created.Secret);
        Assert.DoesNotContain(created.Secret, created.Endpoint.ProtectedSecret);

        var pending = await hooks.Services.PendingCustomerAsync();
        // Written with the change; nothing reached the receiver yet.
        var message = Assert.Single(await hooks.WebhookMessagesAsync());
        Assert.Empty(hooks.Receiver.Calls);

        await hooks.DispatchAsync();

        Assert.Null((await hooks.WebhookMessagesAsync()).Single().LastError);
        var call = Assert.Single(hooks.Receiver.Calls);
        Assert.Null(call.Rejection);
        Assert.Equal(204, call.Answer);
        Assert.Equal(message.Id.ToString(), call.Headers["webhook-id"]);
        Assert.StartsWith("v1,", call.Headers["webhook-signature"]);
        Assert.Equal(hooks.Services.Time.GetUtcNow().ToUnixTimeSeconds().ToString(), call.Headers["webhook-timestamp"]);
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal("AccessRequest.InternalApproved", body.RootElement.GetProperty("type").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal(pending.Reference, data.GetProperty("reference").GetString());
        Assert.Equal("Contoso", data.GetProperty("tenant").GetString());
        Assert.Equal($"https://lockbox.test/requests/{pending.Id}", data.GetProperty("link").GetString());

        var log = await hooks.Webhooks.DeliveriesAsync(ServiceHarness.ContosoOfficer, created.Endpoint.Id);
        var delivery = Assert.Single(log.Deliveries);
        Assert.Equal((204, 1, message.Id), (delivery.StatusCode, delivery.Attempt, delivery.MessageId));
    }

    [Fact]
    public async Task AReplayOrAnOldTimestampOrAChangedBody_IsRejectedByAStockReceiver()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        var created = await hooks.AddContosoEndpointAsync();
        await hooks.Services.PendingCustomerAsync();
        await hooks.DispatchAsync();
        var original = Assert.Single(hooks.Receiver.Accepted);

        // The same call again, headers and all: the signature is good, the id was seen.
        Assert.Equal(409, await hooks.Receiver.PostAsync(original.Body, original.Headers));

        // Signed correctly but ten minutes old: the stock library refuses it (its tolerance is five minutes).
        var old = DateTimeOffset.UtcNow.AddMinutes(-10);
        var id = Guid.NewGuid().ToString();
        Assert.Equal(401, await hooks.Receiver.PostAsync(original.Body, new Dictionary<string, string>
        {
            ["webhook-id"] = id,
            ["webhook-timestamp"] = old.ToUnixTimeSeconds().ToString(),
            ["webhook-signature"] = new StandardWebhook(created.Secret).Sign(id, old, original.Body),
        }));

        // The body changed on the way: the signature no longer matches.
        Assert.Equal(401, await hooks.Receiver.PostAsync(original.Body.Replace("Contoso", "Northwind"), original.Headers));

        // And a secret other than the one shown: refused too.
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(401, await hooks.Receiver.PostAsync(original.Body, new Dictionary<string, string>
        {
            ["webhook-id"] = id,
            ["webhook-timestamp"] = now.ToUnixTimeSeconds().ToString(),
            ["webhook-signature"] = new StandardWebhook(WebhookSecrets.NewSecret()).Sign(id, now, original.Body),
        }));
        Assert.Single(hooks.Receiver.Accepted);
    }

    [Fact]
    public async Task After500_TheSameMessageIsTriedAgainAfterTheOutboxBackoff_AndTheLogShowsBothAttempts()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        var created = await hooks.AddContosoEndpointAsync();
        hooks.Receiver.AnswerNext(500);
        await hooks.Services.PendingCustomerAsync();

        var first = await hooks.DispatchAsync();
        Assert.Equal(1, first.Failed);
        var waiting = Assert.Single(await hooks.WebhookMessagesAsync());
        Assert.Equal((1, (DateTimeOffset?)null), (waiting.Attempts, waiting.SentAt));
        Assert.Equal(hooks.Services.Time.GetUtcNow() + OutboxMessage.BackoffAfter(1), waiting.DueAt);

        hooks.Services.Time.Advance(OutboxMessage.BackoffAfter(1) - TimeSpan.FromTicks(1));
        await hooks.DispatchAsync();
        Assert.Single(hooks.Receiver.Calls);
        hooks.Services.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, (await hooks.DispatchAsync()).Sent);

        var calls = hooks.Receiver.Calls;
        Assert.Equal([500, 204], calls.Select(c => c.Answer));
        Assert.All(calls, c => Assert.Equal(waiting.Id.ToString(), c.Headers["webhook-id"]));
        Assert.All(calls, c => Assert.Null(c.Rejection));

        var log = await hooks.Webhooks.DeliveriesAsync(ServiceHarness.ContosoOfficer, created.Endpoint.Id);
        Assert.Equal([(2, 204), (1, 500)], log.Deliveries.Select(d => (d.Attempt, d.StatusCode ?? 0)));
        // The receiver's answer is kept as it came, markup and all; the page shows it as text.
        Assert.Contains("<b>refused</b>", log.Deliveries[1].ResponseSnippet);
        Assert.Equal(0, (await hooks.EndpointAsync(created.Endpoint.Id)).ConsecutiveFailures);
    }

    /// <summary>
    /// An endpoint saved while private networks were allowed (or a name that resolves to a private address): once they
    /// are not, the delivery never connects, and the log says why.
    /// </summary>
    [Fact]
    public async Task WithoutPrivateNetworksAllowed_ADeliveryToALoopbackReceiver_NeverConnects_AndTheLogSaysWhy()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        var created = await hooks.AddContosoEndpointAsync();
        await hooks.Services.PendingCustomerAsync();
        await using var publicOnly = ServiceHarness.BuildProvider(hooks.Services.DatabasePath, hooks.Services.Time, s => Notifications.EmailHarness.Configure(s, hooks.Email.Smtp.Port));

        var pass = await publicOnly.GetRequiredService<OutboxDispatcher>().RunOnceAsync();

        // The approvers' emails go; the one webhook delivery fails without a connection.
        Assert.Equal(1, pass.Failed);
        Assert.Empty(hooks.Receiver.Calls);
        var log = await hooks.Webhooks.DeliveriesAsync(ServiceHarness.ContosoOfficer, created.Endpoint.Id);
        var attempt = Assert.Single(log.Deliveries);
        Assert.Null(attempt.StatusCode);
        Assert.Contains("resolves to 127.0.0.1", attempt.Error, StringComparison.Ordinal);
        Assert.Contains(WebhookNetwork.RefusedMessage, attempt.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEndpointThatKeepsFailing_IsDisabled_RecordedInTheTrail_AndItsOfficersAreEmailed()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        var created = await hooks.AddContosoEndpointAsync();
        hooks.Receiver.Always = 500;
        await hooks.Services.PendingCustomerAsync();

        for (var attempt = 1; attempt < WebhookEndpoint.FailureLimit; attempt++)
        {
            await hooks.DispatchAsync();
            Assert.True((await hooks.EndpointAsync(created.Endpoint.Id)).IsEnabled, $"still enabled after {attempt} failures");
            hooks.Services.Time.Advance(OutboxMessage.BackoffAfter(attempt));
        }

        await hooks.DispatchAsync();
        var endpoint = await hooks.EndpointAsync(created.Endpoint.Id);
        Assert.False(endpoint.IsEnabled);
        Assert.Equal(WebhookEndpoint.FailureLimit, hooks.Receiver.Calls.Count);
        Assert.Equal(500, hooks.Receiver.Calls[0].Answer);

        // The fake clock runs ahead of the receiver's real one by the backoffs, so later calls may be refused as
        // "too new"; either way the reason names the last answer.
        Assert.Contains($"answered {hooks.Receiver.Calls[^1].Answer}", endpoint.DisabledReason);

        var disabled = Assert.Single(await hooks.Services.AuditAsync(), e => e.EventType == AuditEventType.Webhook_EndpointDisabled);
        Assert.Equal((hooks.Services.Contoso, created.Endpoint.Id.ToString()), (disabled.TenantId!.Value, disabled.SubjectId));

        // The notice goes through the outbox like every email, to Contoso's officer only.
        await hooks.DispatchAsync();
        var notice = Assert.Single(hooks.Email.Received(WebhookSender.DisabledNotice));
        Assert.Equal($"{Cast.ContosoOfficer}@test", notice.Key);
        Assert.Contains(hooks.Receiver.Url, notice.Value.Text);
        Assert.Contains($"https://lockbox.test/webhooks/{created.Endpoint.Id}", notice.Value.Text);

        // Nothing more goes to it: a new event plans no call, and the waiting one is not sent.
        hooks.Services.Time.Advance(TimeSpan.FromHours(1));
        await hooks.Services.PendingCustomerAsync(scope: "Exchange:mailbox/ben@contoso.com");
        Assert.Single(await hooks.WebhookMessagesAsync());
        await hooks.DispatchAsync();
        Assert.Equal(WebhookEndpoint.FailureLimit, hooks.Receiver.Calls.Count);

        // Enabled again by the officer (recorded), the waiting message goes at its next try.
        await hooks.Webhooks.EnableAsync(ServiceHarness.ContosoOfficer, created.Endpoint.Id);
        hooks.Services.Time.Advance(OutboxMessage.BackoffAfter(WebhookEndpoint.FailureLimit + 1));
        await hooks.DispatchAsync();
        Assert.Equal(WebhookEndpoint.FailureLimit + 1, hooks.Receiver.Calls.Count);
        Assert.Equal(hooks.Receiver.Calls[0].Headers["webhook-id"], hooks.Receiver.Calls[^1].Headers["webhook-id"]);
        Assert.Contains(await hooks.Services.AuditAsync(), e => e.EventType == AuditEventType.Webhook_EndpointEnabled);
    }

    [Fact]
    public async Task TheProvidersEndpoint_HearsEveryTenant_ATenantsEndpointOnlyItsOwn()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        var contoso = await hooks.AddContosoEndpointAsync();
        var provider = await hooks.Webhooks.CreateAsync(ServiceHarness.As(Cast.Admin), null,
            new WebhookInput(WebhookKind.Standard, hooks.Receiver.Url + "?provider", ["AccessRequest.InternalApproved"]));

        await hooks.Services.PendingCustomerAsync();
        await hooks.Services.PendingCustomerAsync(hooks.Services.Northwind, "Sql:db/northwind");

        var messages = await hooks.WebhookMessagesAsync();
        Assert.Equal(3, messages.Count);
        Assert.Single(messages, m => m.Recipient == contoso.Endpoint.Id.ToString());
        Assert.Equal(2, messages.Count(m => m.Recipient == provider.Endpoint.Id.ToString()));
        Assert.DoesNotContain(messages, m => m.Recipient == contoso.Endpoint.Id.ToString() && m.TenantId == hooks.Services.Northwind);
    }

    [Fact]
    public async Task ARolledBackChange_WritesNoWebhookMessage()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        await hooks.AddContosoEndpointAsync(eventTypes: ["AccessRequest.InternalApproved", "AccessRequest.CustomerApproved"]);
        var pending = await hooks.Services.PendingCustomerAsync();

        // The requester may not approve their own request: refused, rolled back, no message.
        await Assert.ThrowsAnyAsync<LockboxRuleException>(() => hooks.Services.Requests.DecideCustomerAsync(ServiceHarness.Engineer, pending.Id, approve: true, "me"));
        Assert.Single(await hooks.WebhookMessagesAsync());
    }
}
