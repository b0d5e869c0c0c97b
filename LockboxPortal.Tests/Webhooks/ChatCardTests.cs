using System.Text.Json;
using LockboxPortal.Features.Webhooks;

namespace LockboxPortal.Tests.Webhooks;

/// <summary>
/// Teams (workflow webhook: a message with an Adaptive Card attachment) and Slack (incoming webhook: blocks), as the
/// receiver got them, against their documented shapes: the request's facts, an "Open in LockboxPortal" link, and no
/// button that decides.
/// </summary>
public sealed class ChatCardTests
{
    private const string Justification = "Customer reports <b>missing</b> items @channel <!here>";

    [Fact]
    public async Task Teams_GetsAMessageWithAnAdaptiveCard_FactsAndAnOpenUrlAction_Only()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        await hooks.AddContosoEndpointAsync(WebhookKind.Teams);
        var pending = await FileAsync(hooks);
        await hooks.DispatchAsync();

        using var message = JsonDocument.Parse(Assert.Single(hooks.Receiver.Accepted).Body);
        var root = message.RootElement;
        Assert.Equal("message", root.GetProperty("type").GetString());
        var attachment = Assert.Single(root.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        Assert.Matches(@"^1\.\d+$", card.GetProperty("version").GetString());

        var body = card.GetProperty("body").EnumerateArray().ToList();
        Assert.Contains(pending.Reference, body[0].GetProperty("text").GetString());
        var facts = body.Single(b => b.GetProperty("type").GetString() == "FactSet").GetProperty("facts").EnumerateArray()
            .ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString());
        Assert.Equal(pending.Scope, facts["Scope"]);
        Assert.Equal(Justification, facts["Justification"]);
        Assert.Equal("read", facts["Access level"]);

        var action = Assert.Single(card.GetProperty("actions").EnumerateArray());
        Assert.Equal("Action.OpenUrl", action.GetProperty("type").GetString());
        Assert.Equal("Open in LockboxPortal", action.GetProperty("title").GetString());
        Assert.Equal($"https://lockbox.test/requests/{pending.Id}", action.GetProperty("url").GetString());
        Assert.DoesNotContain("Action.Submit", message.RootElement.GetRawText());
        Assert.DoesNotContain("Action.Execute", message.RootElement.GetRawText());
    }

    [Fact]
    public async Task Slack_GetsBlocks_APlainTextSectionOfFacts_AndALinkButtonOnly()
    {
        await using var hooks = await WebhookHarness.CreateAsync();
        await hooks.AddContosoEndpointAsync(WebhookKind.Slack);
        var pending = await FileAsync(hooks);
        await hooks.DispatchAsync();

        using var message = JsonDocument.Parse(Assert.Single(hooks.Receiver.Accepted).Body);
        var root = message.RootElement;
        Assert.Contains(pending.Reference, root.GetProperty("text").GetString());
        var blocks = root.GetProperty("blocks").EnumerateArray().ToList();

        var section = blocks.Single(b => b.GetProperty("type").GetString() == "section");
        var fields = section.GetProperty("fields").EnumerateArray().ToList();
        Assert.InRange(fields.Count, 1, 10);
        // plain_text: Slack reads no mention or link in what a person typed.
        Assert.All(fields, f => Assert.Equal("plain_text", f.GetProperty("type").GetString()));
        Assert.Contains(fields, f => f.GetProperty("text").GetString() == $"Justification: {Justification}");
        Assert.Contains(fields, f => f.GetProperty("text").GetString() == $"Scope: {pending.Scope}");

        var actions = blocks.Single(b => b.GetProperty("type").GetString() == "actions");
        var button = Assert.Single(actions.GetProperty("elements").EnumerateArray());
        Assert.Equal("button", button.GetProperty("type").GetString());
        Assert.Equal("Open in LockboxPortal", button.GetProperty("text").GetProperty("text").GetString());
        Assert.Equal($"https://lockbox.test/requests/{pending.Id}", button.GetProperty("url").GetString());
        Assert.False(button.TryGetProperty("action_id", out _) && button.TryGetProperty("value", out _), "a button that posts back to an app could decide");
    }

    private static async Task<Features.AccessRequests.AccessRequest> FileAsync(WebhookHarness hooks)
    {
        var input = hooks.Services.ValidInput() with { Justification = Justification };
        var filed = await hooks.Services.Requests.FileAsync(Infrastructure.ServiceHarness.Engineer, input);
        return await hooks.Services.Requests.DecideInternalAsync(Infrastructure.ServiceHarness.Manager, filed.Id, approve: true, "ok");
    }
}
