using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace LockboxPortal.Features.Notifications;

/// <summary>One email as the outbox stores it: recipient, subject, plain text and HTML, composed inside the transaction.</summary>
public sealed record EmailContent(string To, string ToName, string Subject, string Text, string Html)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static EmailContent FromJson(string json) => JsonSerializer.Deserialize<EmailContent>(json, JsonSerializerOptions.Web)!;

    /// <summary>
    /// Composes both parts from the same facts. Everything in <paramref name="intro"/> and the facts may have been
    /// typed by a person (a justification, a name, a ticket), so the HTML part encodes all of it: it reads as text.
    /// </summary>
    public static EmailContent Compose(string to, string toName, string subject, string intro, IReadOnlyList<(string Label, string? Value)> facts, string? link, string? note = null)
    {
        var text = new StringBuilder();
        var html = new StringBuilder();
        text.AppendLine(intro).AppendLine();
        html.Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        html.Append("<p>").Append(Encode(intro)).Append("</p>");
        var shown = facts.Where(f => !string.IsNullOrWhiteSpace(f.Value)).ToList();
        if (shown.Count > 0)
        {
            html.Append("<table>");
            foreach (var (label, value) in shown)
            {
                text.Append(label).Append(": ").AppendLine(value);
                html.Append("<tr><th style=\"text-align:left;vertical-align:top;padding-right:1em\">").Append(Encode(label))
                    .Append("</th><td style=\"white-space:pre-wrap\">").Append(Encode(value!)).Append("</td></tr>");
            }

            html.Append("</table>");
            text.AppendLine();
        }

        if (link is not null)
        {
            text.Append("Open in LockboxPortal: ").AppendLine(link);
            html.Append("<p><a href=\"").Append(Encode(link)).Append("\">Open in LockboxPortal</a></p>");
        }

        if (note is not null)
        {
            text.AppendLine().AppendLine(note);
            html.Append("<p style=\"color:#555\">").Append(Encode(note)).Append("</p>");
        }

        html.Append("</body></html>");
        return new EmailContent(to, toName, subject, text.ToString(), html.ToString());
    }

    public static string Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "";

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
