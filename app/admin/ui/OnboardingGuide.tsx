// The dashboard's first-run guide: four steps, each done, to do (with the one link that does
// it) or not known (the theme could not be read). Shown until every step is done or the
// merchant dismisses it.
import { Form } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { OnboardingGuide as Guide, OnboardingStepId } from "../../backorder/onboarding.ts";

const STEP_TEXT: Record<OnboardingStepId, { title: string; help: string; action: string }> = {
  "product-block": {
    title: "Add the backorder notice to your product page",
    help: "Shows the restock date and turns Add to cart into Backorder while a variant is on backorder.",
    action: "Add in the theme editor",
  },
  "app-embed": {
    title: "Turn on the cart notice",
    help: "An app embed: tells customers in the cart which items ship later.",
    action: "Turn on in the theme editor",
  },
  variants: {
    title: "Switch on backorders for your first variants",
    help: "Customers can keep ordering them once they sell out.",
    action: "Choose variants",
  },
  "restock-date": {
    title: "Set a restock date",
    help: "The date customers see and the queue is planned by.",
    action: "Set a date",
  },
};

const IN_APP: Partial<Record<OnboardingStepId, string>> = { variants: "/app/variants", "restock-date": "/app/variants" };

export function OnboardingGuide({ guide }: { guide: Guide }) {
  const done = guide.steps.filter((s) => s.done === true).length;
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Set up Backorder Queue
            </Text>
            <Text as="p" tone="subdued">
              {done} of {guide.steps.length} steps done
              {guide.themeName ? ` · theme “${guide.themeName}”` : ""}
            </Text>
          </BlockStack>
          <Form method="post">
            <input type="hidden" name="intent" value="dismiss-onboarding" />
            <Button submit variant="plain">
              Dismiss guide
            </Button>
          </Form>
        </InlineStack>
        <ol aria-label="Setup steps" style={{ margin: 0, paddingLeft: "1.25rem" }}>
          {guide.steps.map((step) => {
            const text = STEP_TEXT[step.id];
            const url = IN_APP[step.id] ?? guide.links[step.id === "product-block" ? "productBlock" : "appEmbed"];
            const external = !IN_APP[step.id];
            return (
              <li key={step.id} data-step={step.id} data-done={String(step.done)}>
                <Box paddingBlockEnd="300">
                  <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
                    <BlockStack gap="050">
                      <Text as="h3" variant="headingSm">
                        {text.title}
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        {step.done === null && guide.themeError
                          ? `Could not check the theme: ${guide.themeError}. ${text.help}`
                          : text.help}
                      </Text>
                    </BlockStack>
                    {step.done === true ? (
                      <Badge tone="success">Done</Badge>
                    ) : (
                      <Button url={url} target={external ? "_top" : undefined}>
                        {text.action}
                      </Button>
                    )}
                  </InlineStack>
                </Box>
              </li>
            );
          })}
        </ol>
      </BlockStack>
    </Card>
  );
}
