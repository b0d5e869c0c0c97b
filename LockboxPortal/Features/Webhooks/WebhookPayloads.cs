using System.Text.Json;
using System.Text.Json.Nodes;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Notifications;

namespace LockboxPortal.Features.Webhooks;

/// <summary>
/// The body each kind of endpoint receives about a request event, composed inside the operation's transaction (the
/// facts it committed) and sent as it is on every attempt. Chat cards carry the facts and an "Open in
/// LockboxPortal" link, never a button that decides: a decision needs the signed-in session and the fresh factor.
/// </summary>
public static class WebhookPayloads
{
    public const string OpenInPortal = "Open in LockboxPortal";

    public sealed record Facts(string EventType, DateTimeOffset At, AccessRequest Request, string TenantName, string ActorName, string? Link);

    /// <summary>The event type a tenant's endpoints may hear for each new signed checkpoint of its audit trail.</summary>
    public const string AuditCheckpoint = "audit.checkpoint";

    /// <summary>What a chat card shows: a headline, facts, a link.</summary>
    private sealed record Card(string Headline, IReadOnlyList<(string Title, string Value)> Rows, string? Link);

    /// <summary>
    /// A signed checkpoint of the tenant's trail (<paramref name="checkpointJson"/>, the document <c>audit verify
    /// --checkpoint</c> reads): whole in the standard body, so the receiver can keep it; its facts on a chat card.
    /// </summary>
    public static string ComposeCheckpoint(WebhookKind kind, DateTimeOffset at, Guid tenantId, string tenantName, string checkpointJson, string? link)
    {
        var checkpoint = JsonNode.Parse(checkpointJson)!.AsObject();
        var card = new Card($"Signed checkpoint of {tenantName}'s audit trail (entry {checkpoint["sequence"]})",
            [("Hash", checkpoint["hash"]!.GetValue<string>()), ("Taken at", checkpoint["takenAt"]!.GetValue<string>()), ("Key id", checkpoint["keyId"]!.GetValue<string>())],
            link);
        return (kind switch
        {
            WebhookKind.Standard => new JsonObject
            {
                ["type"] = AuditCheckpoint,
                ["timestamp"] = at,
                ["data"] = new JsonObject { ["tenantId"] = tenantId, ["tenant"] = tenantName, ["checkpoint"] = checkpoint },
            },
            WebhookKind.Teams => Teams(card),
            WebhookKind.Slack => Slack(card),
            _ => throw new InvalidOperationException($"Unknown webhook kind '{kind}'."),
        }).ToJsonString(JsonSerializerOptions.Web);
    }

    public static string Compose(WebhookKind kind, Facts facts) => (kind switch
    {
        WebhookKind.Standard => Standard(facts),
        WebhookKind.Teams => Teams(facts),
        WebhookKind.Slack => Slack(facts),
        _ => throw new InvalidOperationException($"Unknown webhook kind '{kind}'."),
    }).ToJsonString(JsonSerializerOptions.Web);

    /// <summary>The Standard Webhooks shape: <c>type</c>, <c>timestamp</c>, <c>data</c>.</summary>
    private static JsonObject Standard(Facts f)
    {
        var r = f.Request;
        return new JsonObject
        {
            ["type"] = f.EventType,
            ["timestamp"] = f.At,
            ["data"] = new JsonObject
            {
                ["requestId"] = r.Id,
                ["reference"] = r.Reference,
                ["tenantId"] = r.TenantId,
                ["tenant"] = f.TenantName,
                ["status"] = r.Status.ToString(),
                ["requester"] = r.RequesterName,
                ["actor"] = f.ActorName,
                ["scope"] = r.Scope,
                ["accessLevel"] = Level(r),
                ["justification"] = r.Justification,
                ["ticketReference"] = r.TicketReference,
                ["expiresAt"] = r.ExpiresAt,
                ["grantStartsAt"] = r.GrantStartsAt,
                ["grantEndsAt"] = r.GrantEndsAt,
                ["incidentReference"] = r.IncidentReference,
                ["ratification"] = r.Ratification?.ToString(),
                ["link"] = f.Link,
            },
        };
    }

    /// <summary>A Teams workflow ("When a Teams webhook request is received") message with one Adaptive Card attachment.</summary>
    private static JsonObject Teams(Facts f) => Teams(new Card(Headline(f), Rows(f).ToList(), f.Link));

    private static JsonObject Teams(Card f)
    {
        var facts = new JsonArray();
        foreach (var (title, value) in f.Rows)
        {
            facts.Add(new JsonObject { ["title"] = title, ["value"] = value });
        }

        var actions = new JsonArray();
        if (f.Link is not null)
        {
            actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = OpenInPortal, ["url"] = f.Link });
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = new JsonArray
            {
                new JsonObject { ["type"] = "TextBlock", ["text"] = f.Headline, ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
            },
            ["actions"] = actions,
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    /// <summary>A Slack incoming-webhook message: a fallback <c>text</c> and <c>blocks</c> (header, section with fields, a link button).</summary>
    private static JsonObject Slack(Facts f) => Slack(new Card(Headline(f), Rows(f).ToList(), f.Link));

    private static JsonObject Slack(Card f)
    {
        // plain_text everywhere: Slack does not read mentions or links in it, so typed text stays text.
        var fields = new JsonArray();
        foreach (var (title, value) in f.Rows.Take(10))
        {
            fields.Add(new JsonObject { ["type"] = "plain_text", ["text"] = $"{title}: {value}" });
        }

        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Cut(f.Headline, 150)) },
            new JsonObject { ["type"] = "section", ["fields"] = fields },
        };
        if (f.Link is not null)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray
                {
                    new JsonObject { ["type"] = "button", ["text"] = PlainText(OpenInPortal), ["url"] = f.Link },
                },
            });
        }

        return new JsonObject { ["text"] = f.Headline, ["blocks"] = blocks };
    }

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text };

    private static string Headline(Facts f) => $"{f.Request.Reference}: {Describe(f.EventType)} ({f.TenantName})";

    private static IEnumerable<(string Title, string Value)> Rows(Facts f)
    {
        var r = f.Request;
        yield return ("Status", r.Status.ToString());
        if (r.Ratification is { } ratification)
        {
            yield return ("Emergency", $"{RequestWords.Ratification(ratification)} (incident {r.IncidentReference})");
        }

        yield return ("Requester", r.RequesterName);
        yield return ("Scope", r.Scope);
        yield return ("Access level", Level(r));
        yield return ("Justification", Cut(r.Justification, 1900));
        if (!string.IsNullOrWhiteSpace(r.TicketReference))
        {
            yield return ("Ticket", r.TicketReference);
        }

        yield return ("By", f.ActorName);
        yield return ("Pending until", EmailContent.Time(r.ExpiresAt));
        if (r.GrantEndsAt is { } ends)
        {
            yield return ("Grant ends", EmailContent.Time(ends));
        }
    }

    private static string Describe(string eventType) => eventType switch
    {
        "AccessRequest.Filed" => "filed",
        "AccessRequest.InternalApproved" => "awaits the customer's approval",
        "AccessRequest.InternalDenied" => "denied by the provider",
        "AccessRequest.CustomerApproved" => "approved",
        "AccessRequest.CustomerRejected" => "rejected",
        "AccessRequest.Cancelled" => "cancelled",
        "AccessRequest.Expired" => "expired",
        "AccessRequest.Revoked" => "grant revoked",
        "AccessRequest.Released" => "grant released",
        "AccessRequest.Completed" => "grant completed",
        "AccessRequest.Escalated" => "escalated to the escalation approvers",
        "AccessRequest.QuestionAsked" => "has a question for the engineer",
        "AccessRequest.QuestionAnswered" => "has the engineer's answer to a question",
        "AccessRequest.EmergencyDeclared" => "declared as an emergency: access is open, to be ratified or rejected",
        "AccessRequest.EmergencyRatified" => "emergency ratified",
        "AccessRequest.EmergencyRejected" => "emergency rejected",
        "AccessRequest.EmergencyUnratified" => "emergency not ratified in time",
        "AccessRequest.EmergencyReviewed" => "unratified emergency reviewed by an officer",
        _ => eventType,
    };

    private static string Level(AccessRequest r) => r.AccessLevel == AccessLevel.ReadWrite ? "read-write" : "read";

    private static string Cut(string text, int length) => text.Length > length ? text[..(length - 1)] + "…" : text;
}
