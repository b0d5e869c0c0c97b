using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Webhooks;
using LockboxPortal.Tests.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Webhooks;

/// <summary>Finding 5: a tenant's endpoint that lists <c>audit.checkpoint</c> receives each new signed checkpoint of its trail, whole.</summary>
public sealed class CheckpointWebhookTests
{
    [Fact]
    public async Task AnEndpointHearingAuditCheckpoint_ReceivesTheSignedCheckpoint_OnlyForItsTenant_AndOthersDoNot()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        var hearing = await hooks.AddContosoEndpointAsync(WebhookKind.Standard, WebhookPayloads.AuditCheckpoint);
        var harness = hooks.Services;
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);
        await AuditTestData.AppendAsync(harness, harness.Northwind, 2);
        var checkpoints = harness.Services.GetRequiredService<AuditCheckpoints>();

        var taken = await checkpoints.TakeAsync(harness.Contoso);
        await checkpoints.TakeAsync(harness.Northwind);
        await hooks.DispatchAsync();

        var call = Assert.Single(hooks.Receiver.Calls);
        Assert.Equal(204, call.Answer);
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal("audit.checkpoint", body.RootElement.GetProperty("type").GetString());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal("Contoso", data.GetProperty("tenant").GetString());
        var kept = Path.Combine(Path.GetDirectoryName(harness.DatabasePath)!, "hook-checkpoint.json");
        await File.WriteAllTextAsync(kept, data.GetProperty("checkpoint").GetRawText());
        var checkpoint = AuditCheckpointCommand.Read(kept);
        Assert.Equal((taken!.Sequence, taken.Hash, taken.Signature), (checkpoint.Sequence, checkpoint.Hash, checkpoint.Signature));
        Assert.True((await checkpoints.VerifyAsync(checkpoint)).IsIntact);
        Assert.Contains(WebhookPayloads.AuditCheckpoint, (await hooks.EndpointAsync(hearing.Endpoint.Id)).EventTypeList);
    }
}
