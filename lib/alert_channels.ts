/**
 * Where alerts go: a webhook (the app's own JSON, or the Microsoft Teams and Slack
 * incoming-webhook formats) and e-mail over SMTP (`nodemailer`). A message is one round's alerts:
 * one alert, or a digest of several. A send that fails throws; the alerter retries it.
 * @module
 */
import nodemailer from "nodemailer";
import type { AlertConfig, WebhookFormat } from "./config.ts";
import { displayTime, jsonTime } from "./time.ts";
import type { Alert } from "./alert_rules.ts";

/** One message to every channel: the alerts of one round (a digest when more than one). */
export type Message = { alerts: Alert[]; test?: boolean };

/** A channel's name, as the state file and the Settings page write it. */
export type ChannelName = "webhook" | "email";

/** How long one send may take before it counts as failed. */
const SEND_TIMEOUT_MS = 15_000;

/** The one-line summary of a message (the mail subject, the card's heading). */
function heading(message: Message): string {
  const prefix = message.test ? "Test alert: " : "";
  return message.alerts.length === 1
    ? `${prefix}${message.alerts[0].title}`
    : `${prefix}${message.alerts.length} alerts from OpenOrchestrator`;
}

/** The webhook body in the app's own JSON shape (documented in the README). */
function jsonBody(message: Message): unknown {
  return {
    source: "OpenOrchestrator Web",
    test: message.test ?? false,
    alerts: message.alerts.map((a) => ({
      kind: a.kind,
      subject: a.subject,
      title: a.title,
      since: jsonTime(a.since),
      link: a.link,
    })),
  };
}

/** Slack's mrkdwn needs `&`, `<` and `>` escaped. */
function slackText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A Slack incoming-webhook body: one `text` with a line per alert. */
function slackBody(message: Message): unknown {
  const lines = message.alerts.map((a) =>
    `• <${a.link}|${slackText(a.title)}> (since ${displayTime(a.since)})`
  );
  return { text: [`*${slackText(heading(message))}*`, ...lines].join("\n") };
}

/**
 * Adaptive Card text is a small Markdown (bold, italic, lists, links): emphasis and brackets in
 * names must not become markup. Titles never start a line with a list marker.
 */
function cardText(text: string): string {
  return text.replace(/[\\`*_[\]]/g, (c) => `\\${c}`);
}

/** A link target in card Markdown: a parenthesis would end it early. */
function cardUrl(url: string): string {
  return url.replaceAll("(", "%28").replaceAll(")", "%29");
}

/**
 * A Microsoft Teams body: an Adaptive Card in a message, which the Teams Workflows "post to a
 * channel when a webhook request is received" template posts as it is.
 */
function teamsBody(message: Message): unknown {
  return {
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          { type: "TextBlock", text: cardText(heading(message)), weight: "Bolder", wrap: true },
          ...message.alerts.map((a) => ({
            type: "TextBlock",
            wrap: true,
            text: `[${cardText(a.title)}](${cardUrl(a.link)}) (since ${displayTime(a.since)})`,
          })),
        ],
      },
    }],
  };
}

/** The webhook body for a format. */
function webhookBody(message: Message, format: WebhookFormat): unknown {
  return format === "teams"
    ? teamsBody(message)
    : format === "slack"
    ? slackBody(message)
    : jsonBody(message);
}

async function postWebhook(
  webhook: NonNullable<AlertConfig["webhook"]>,
  message: Message,
): Promise<void> {
  // The URL's path and query are the webhook's secret: no message names them.
  const origin = new URL(webhook.url).origin;
  let response: Response;
  try {
    response = await fetch(webhook.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(webhookBody(message, webhook.format)),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    const { message, cause } = error as Error;
    const reason = (cause instanceof Error ? `${message}: ${cause.message}` : message)
      .replaceAll(webhook.url, `${origin}/…`);
    throw new Error(`Cannot post the webhook to ${origin}: ${reason}`);
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new Error(`Cannot post the webhook to ${origin}: HTTP ${response.status}`);
  }
}

/** The mail's plain text: each alert's line, since when, and its link. */
function mailText(message: Message): string {
  const blocks = message.alerts.map((a) => `${a.title}\nSince: ${displayTime(a.since)}\n${a.link}`);
  const intro = message.test
    ? "This is a test alert from OpenOrchestrator Web: the channel works.\n\n"
    : "";
  return `${intro}${blocks.join("\n\n")}\n`;
}

async function sendMail(
  smtp: NonNullable<AlertConfig["smtp"]>,
  message: Message,
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === "tls",
    requireTLS: smtp.security === "starttls",
    ignoreTLS: smtp.security === "none",
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? "" } : undefined,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: smtp.from,
      to: smtp.to,
      subject: `[OpenOrchestrator] ${heading(message)}`,
      text: mailText(message),
    });
  } catch (error) {
    throw new Error(`Cannot send the alert mail: ${(error as Error).message}`);
  } finally {
    transport.close();
  }
}

/** The channels the configuration names. */
export function configuredChannels(config: AlertConfig): ChannelName[] {
  return [
    ...(config.webhook ? ["webhook" as const] : []),
    ...(config.smtp ? ["email" as const] : []),
  ];
}

/** Sends a message on one channel; throws when it did not go. */
export async function send(
  config: AlertConfig,
  { channel, message }: { channel: ChannelName; message: Message },
): Promise<void> {
  if (channel === "webhook" && config.webhook) return await postWebhook(config.webhook, message);
  if (channel === "email" && config.smtp) return await sendMail(config.smtp, message);
  throw new Error(`Cannot send on ${channel}: it is not configured`);
}
