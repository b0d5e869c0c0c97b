using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Features.Webhooks;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace LockboxPortal.Tests.Webhooks;

/// <summary>
/// Webhooks through the outbox to a real receiver on a local port that verifies with the stock StandardWebhooks
/// library: signed, tried again within the attempt and then with the outbox's backoff under the same
/// <c>webhook-id</c>, logged, and disabled (in the
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
    /// Inside one attempt, the resilience pipeline tries a 5xx again after 2 s and then 4 s on the portal's clock, not
    /// one tick before; the delivery log has a row per try, and the attempt counts once.
    /// </summary>
    [Fact]
    public async Task A5xx_IsTriedAgainWithinTheAttempt_AfterExponentialWaits_AndEachTryIsARowInTheLog()
    {
        await using var hooks = await WebhookHarness.CreateAsync(retries: 2);
        var created = await hooks.AddContosoEndpointAsync();
        hooks.Receiver.AnswerNext(500, 503);
        await hooks.Services.PendingCustomerAsync();
        var time = hooks.Services.Time;
        var start = time.GetUtcNow();
        time.ForgetWaits();

        var dispatch = hooks.DispatchAsync();
        Assert.Equal(TimeSpan.FromSeconds(2), await time.NextWaitAsync(IsRetryWait));
        Assert.Single(hooks.Receiver.Calls);
        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.Single(hooks.Receiver.Calls);
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(TimeSpan.FromSeconds(4), await time.NextWaitAsync(IsRetryWait));
        Assert.Equal(2, hooks.Receiver.Calls.Count);
        time.Advance(TimeSpan.FromSeconds(4));
        var pass = await dispatch.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, pass.Failed);
        Assert.Equal([500, 503, 204], hooks.Receiver.Calls.Select(c => c.Answer));
        Assert.Single(hooks.Receiver.Calls.Select(c => c.Headers["webhook-id"]).Distinct());
        var log = await hooks.Webhooks.DeliveriesAsync(ServiceHarness.ContosoOfficer, created.Endpoint.Id);
        Assert.Equal(
            [(1, 3, start.AddSeconds(6), 204), (1, 2, start.AddSeconds(2), 503), (1, 1, start, 500)],
            log.Deliveries.Select(d => (d.Attempt, d.Try, d.At, d.StatusCode ?? 0)));
        Assert.Equal("The endpoint answered 503.", log.Deliveries[1].Error);
        var message = Assert.Single(await hooks.WebhookMessagesAsync());
        Assert.Equal((1, true), (message.Attempts, message.SentAt is not null));
    }

    /// <summary>When the quick tries are used up, the attempt fails once: the outbox's backoff takes over, and the endpoint counts one failure.</summary>
    [Fact]
    public async Task QuickTriesUsedUp_TheAttemptFailsOnce_AndWaitsForTheOutboxBackoff()
    {
        await using var hooks = await WebhookHarness.CreateAsync(retries: 1);
        var created = await hooks.AddContosoEndpointAsync();
        hooks.Receiver.Always = 502;
        await hooks.Services.PendingCustomerAsync();
        var time = hooks.Services.Time;
        time.ForgetWaits();

        var dispatch = hooks.DispatchAsync();
        time.Advance(await time.NextWaitAsync(IsRetryWait));
        var pass = await dispatch.WaitAsync(TimeSpan.FromSeconds(30));

        // The approvers' emails go; the webhook's one attempt fails.
        Assert.Equal(1, pass.Failed);
        Assert.Equal([502, 502], hooks.Receiver.Calls.Select(c => c.Answer));
        var log = await hooks.Webhooks.DeliveriesAsync(ServiceHarness.ContosoOfficer, created.Endpoint.Id);
        Assert.Equal([(1, 2), (1, 1)], log.Deliveries.Select(d => (d.Attempt, d.Try)));
        var message = Assert.Single(await hooks.WebhookMessagesAsync());
        Assert.Equal((1, time.GetUtcNow() + OutboxMessage.BackoffAfter(1)), (message.Attempts, message.DueAt));
        Assert.Equal(1, (await hooks.EndpointAsync(created.Endpoint.Id)).ConsecutiveFailures);
    }

    /// <summary>Quick retries that could outlast the outbox lease (so another node claims the message mid-attempt) are refused when the portal starts.</summary>
    [Theory]
    [InlineData("2", "00:00:02", null)]
    [InlineData("0", "00:00:00", null)]
    [InlineData("3", "00:00:02", null)]
    [InlineData("4", "00:00:02", "one attempt last up to 105 s")]
    [InlineData("6", "00:00:01", "Webhooks:Retries must be 0 to 5.")]
    [InlineData("-1", "00:00:01", "Webhooks:Retries must be 0 to 5.")]
    [InlineData("1", "00:00:31", "Webhooks:RetryDelay must be 0 to 30 seconds.")]
    public void RetrySettings_ThatCouldOutlastTheLease_AreRefused(string retries, string delay, string? problem)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:Retries"] = retries, ["Webhooks:RetryDelay"] = delay }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddLogging().AddLockboxWebhooks().BuildServiceProvider();
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebhookSettings>>();

        if (problem is null)
        {
            Assert.Equal(int.Parse(retries, System.Globalization.CultureInfo.InvariantCulture), options.Value.Retries);
        }
        else
        {
            var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => options.Value);
            Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A retry's wait, not a try's timeout (both wait on the portal's clock).</summary>
    private static bool IsRetryWait(TimeSpan due) => due > TimeSpan.Zero && due < WebhookSettings.TryTimeout;

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
