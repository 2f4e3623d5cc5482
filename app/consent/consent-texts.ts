// What the customer's page says, in the languages the emails are sent in: the page opens from
// a delay notice, so it speaks the notice's language (the link carries it, see consent-links).
import type { EmailLanguage } from "../backorder/customer-emails.ts";
import type { ConsentChoice, ConsentRefusal } from "./consent.server.ts";

interface Said {
  title: string;
  body: string;
}

export interface ConsentTexts {
  refusals: Record<ConsentRefusal, Said>;
  questions: Record<ConsentChoice, Said & { button: string }>;
  /** Above the button of the other choice (the key), for the customer who clicked the wrong link. */
  otherChoice: Record<ConsentChoice, string>;
  /** Appended to "answered": what the customer chose before. */
  answered: Record<ConsentChoice, string>;
  labels: { order: string; item: string; quantity: string; newDate: string };
  kept: Said;
  cancelled: Said;
  failed: { title: string; retry: string; refused: string; tryAgain: string };
}

export const CONSENT_TEXTS: Record<EmailLanguage, ConsentTexts> = {
  en: {
    refusals: {
      malformed: {
        title: "This link is incomplete",
        body: "Part of the link is missing. Open it again from the email, or contact the shop.",
      },
      tampered: {
        title: "This link is not valid",
        body: "The link was changed after the shop sent it. Open it again from the email, or contact the shop.",
      },
      expired: { title: "This link has expired", body: "The link in the email works for 30 days. Contact the shop to change your order." },
      "other-shop": {
        title: "This link is for another shop",
        body: "Open it from the email you received: it belongs to the shop that sent it.",
      },
      "unknown-line": { title: "We could not find this item", body: "The order line in this link is not known here. Contact the shop." },
      answered: { title: "You have already answered", body: "Your answer to this notice is recorded; nothing was changed now." },
      "not-waiting": {
        title: "This item is no longer waiting",
        body: "It has shipped, been allocated stock or been cancelled since the email, so there is nothing to decide. Nothing was changed.",
      },
    },
    questions: {
      keep: {
        title: "Keep your order?",
        body: "Your item will ship when it is back in stock, by the new date below. Confirm to keep it on order.",
        button: "Keep my order",
      },
      cancel: {
        title: "Cancel this item?",
        body: "The item is removed from your order and refunded to your original payment method. The rest of your order is not affected.",
        button: "Cancel this item and refund me",
      },
    },
    otherChoice: { keep: "Changed your mind?", cancel: "Would you rather not wait?" },
    answered: { keep: "You chose to keep the item.", cancel: "You chose to cancel the item." },
    labels: { order: "Order", item: "Item", quantity: "Quantity", newDate: "New ship date" },
    kept: { title: "Thank you: your order stays", body: "We have recorded that you keep this item for the new date." },
    cancelled: {
      title: "The item is cancelled",
      body: "It has been refunded to your original payment method; the shop sends you a confirmation.",
    },
    failed: {
      title: "We could not cancel the item",
      retry: "The shop could not be reached just now. Nothing was charged twice: press the button again in a moment.",
      refused: "The shop's system refused the refund, so nothing was changed. Please contact the shop.",
      tryAgain: "Try again",
    },
  },
  fr: {
    refusals: {
      malformed: {
        title: "Ce lien est incomplet",
        body: "Une partie du lien manque. Ouvrez-le à nouveau depuis l’e-mail, ou contactez la boutique.",
      },
      tampered: {
        title: "Ce lien n’est pas valide",
        body: "Le lien a été modifié après l’envoi par la boutique. Ouvrez-le à nouveau depuis l’e-mail, ou contactez la boutique.",
      },
      expired: {
        title: "Ce lien a expiré",
        body: "Le lien de l’e-mail est valable 30 jours. Contactez la boutique pour modifier votre commande.",
      },
      "other-shop": {
        title: "Ce lien concerne une autre boutique",
        body: "Ouvrez-le depuis l’e-mail reçu : il appartient à la boutique qui l’a envoyé.",
      },
      "unknown-line": {
        title: "Article introuvable",
        body: "La ligne de commande de ce lien n’est pas connue ici. Contactez la boutique.",
      },
      answered: {
        title: "Vous avez déjà répondu",
        body: "Votre réponse à cet avis est enregistrée ; rien n’a été modifié cette fois.",
      },
      "not-waiting": {
        title: "Cet article n’est plus en attente",
        body: "Il a été expédié, a reçu du stock ou a été annulé depuis l’e-mail : il n’y a rien à décider. Rien n’a été modifié.",
      },
    },
    questions: {
      keep: {
        title: "Garder votre commande ?",
        body: "Votre article sera expédié à son retour en stock, d’ici la nouvelle date ci-dessous. Confirmez pour le garder en commande.",
        button: "Je garde ma commande",
      },
      cancel: {
        title: "Annuler cet article ?",
        body: "L’article est retiré de votre commande et remboursé sur votre moyen de paiement d’origine. Le reste de la commande n’est pas concerné.",
        button: "Annuler cet article et être remboursé",
      },
    },
    otherChoice: { keep: "Vous avez changé d’avis ?", cancel: "Vous préférez ne pas attendre ?" },
    answered: { keep: "Vous avez choisi de garder l’article.", cancel: "Vous avez choisi d’annuler l’article." },
    labels: { order: "Commande", item: "Article", quantity: "Quantité", newDate: "Nouvelle date d’expédition" },
    kept: {
      title: "Merci : votre commande est maintenue",
      body: "Nous avons noté que vous gardez cet article pour la nouvelle date.",
    },
    cancelled: {
      title: "L’article est annulé",
      body: "Il a été remboursé sur votre moyen de paiement d’origine ; la boutique vous envoie une confirmation.",
    },
    failed: {
      title: "Nous n’avons pas pu annuler l’article",
      retry: "La boutique n’a pas pu être jointe. Rien n’a été débité deux fois : appuyez à nouveau sur le bouton dans un instant.",
      refused: "Le système de la boutique a refusé le remboursement ; rien n’a été modifié. Veuillez contacter la boutique.",
      tryAgain: "Réessayer",
    },
  },
  de: {
    refusals: {
      malformed: {
        title: "Dieser Link ist unvollständig",
        body: "Ein Teil des Links fehlt. Öffnen Sie ihn erneut aus der E-Mail oder wenden Sie sich an den Shop.",
      },
      tampered: {
        title: "Dieser Link ist ungültig",
        body: "Der Link wurde nach dem Versand durch den Shop verändert. Öffnen Sie ihn erneut aus der E-Mail oder wenden Sie sich an den Shop.",
      },
      expired: {
        title: "Dieser Link ist abgelaufen",
        body: "Der Link in der E-Mail gilt 30 Tage. Wenden Sie sich an den Shop, um Ihre Bestellung zu ändern.",
      },
      "other-shop": {
        title: "Dieser Link gehört zu einem anderen Shop",
        body: "Öffnen Sie ihn aus der erhaltenen E-Mail: Er gehört zu dem Shop, der sie gesendet hat.",
      },
      "unknown-line": {
        title: "Artikel nicht gefunden",
        body: "Die Bestellposition dieses Links ist hier nicht bekannt. Wenden Sie sich an den Shop.",
      },
      answered: {
        title: "Sie haben bereits geantwortet",
        body: "Ihre Antwort auf diese Mitteilung ist gespeichert; jetzt wurde nichts geändert.",
      },
      "not-waiting": {
        title: "Dieser Artikel wartet nicht mehr",
        body: "Er wurde seit der E-Mail versandt, mit Bestand versorgt oder storniert; es gibt nichts zu entscheiden. Nichts wurde geändert.",
      },
    },
    questions: {
      keep: {
        title: "Bestellung behalten?",
        body: "Ihr Artikel wird versandt, sobald er wieder vorrätig ist, bis zum neuen Datum unten. Bestätigen Sie, um ihn in der Bestellung zu behalten.",
        button: "Bestellung behalten",
      },
      cancel: {
        title: "Diesen Artikel stornieren?",
        body: "Der Artikel wird aus Ihrer Bestellung entfernt und auf Ihre ursprüngliche Zahlungsart erstattet. Der Rest der Bestellung bleibt unverändert.",
        button: "Artikel stornieren und erstatten lassen",
      },
    },
    otherChoice: { keep: "Haben Sie es sich anders überlegt?", cancel: "Möchten Sie lieber nicht warten?" },
    answered: {
      keep: "Sie haben sich entschieden, den Artikel zu behalten.",
      cancel: "Sie haben sich entschieden, den Artikel zu stornieren.",
    },
    labels: { order: "Bestellung", item: "Artikel", quantity: "Menge", newDate: "Neues Versanddatum" },
    kept: {
      title: "Danke: Ihre Bestellung bleibt bestehen",
      body: "Wir haben gespeichert, dass Sie diesen Artikel zum neuen Datum behalten.",
    },
    cancelled: {
      title: "Der Artikel ist storniert",
      body: "Der Betrag wurde auf Ihre ursprüngliche Zahlungsart erstattet; der Shop sendet Ihnen eine Bestätigung.",
    },
    failed: {
      title: "Wir konnten den Artikel nicht stornieren",
      retry: "Der Shop war gerade nicht erreichbar. Nichts wurde doppelt belastet: Drücken Sie gleich noch einmal auf die Schaltfläche.",
      refused: "Das System des Shops hat die Erstattung abgelehnt; nichts wurde geändert. Bitte wenden Sie sich an den Shop.",
      tryAgain: "Erneut versuchen",
    },
  },
  es: {
    refusals: {
      malformed: {
        title: "Este enlace está incompleto",
        body: "Falta parte del enlace. Ábrelo de nuevo desde el correo o contacta con la tienda.",
      },
      tampered: {
        title: "Este enlace no es válido",
        body: "El enlace se modificó después de que la tienda lo enviara. Ábrelo de nuevo desde el correo o contacta con la tienda.",
      },
      expired: {
        title: "Este enlace ha caducado",
        body: "El enlace del correo es válido durante 30 días. Contacta con la tienda para cambiar tu pedido.",
      },
      "other-shop": {
        title: "Este enlace es de otra tienda",
        body: "Ábrelo desde el correo que recibiste: pertenece a la tienda que lo envió.",
      },
      "unknown-line": {
        title: "No encontramos este artículo",
        body: "La línea de pedido de este enlace no se conoce aquí. Contacta con la tienda.",
      },
      answered: {
        title: "Ya has respondido",
        body: "Tu respuesta a este aviso está registrada; ahora no se ha cambiado nada.",
      },
      "not-waiting": {
        title: "Este artículo ya no está en espera",
        body: "Se ha enviado, ha recibido stock o se ha cancelado desde el correo, así que no hay nada que decidir. No se ha cambiado nada.",
      },
    },
    questions: {
      keep: {
        title: "¿Mantener tu pedido?",
        body: "Tu artículo se enviará cuando vuelva a haber stock, antes de la nueva fecha indicada abajo. Confirma para mantenerlo en el pedido.",
        button: "Mantener mi pedido",
      },
      cancel: {
        title: "¿Cancelar este artículo?",
        body: "El artículo se retira de tu pedido y se reembolsa en tu método de pago original. El resto del pedido no cambia.",
        button: "Cancelar este artículo y reembolsarme",
      },
    },
    otherChoice: { keep: "¿Has cambiado de opinión?", cancel: "¿Prefieres no esperar?" },
    answered: { keep: "Elegiste mantener el artículo.", cancel: "Elegiste cancelar el artículo." },
    labels: { order: "Pedido", item: "Artículo", quantity: "Cantidad", newDate: "Nueva fecha de envío" },
    kept: {
      title: "Gracias: tu pedido se mantiene",
      body: "Hemos registrado que mantienes este artículo para la nueva fecha.",
    },
    cancelled: {
      title: "El artículo está cancelado",
      body: "Se ha reembolsado en tu método de pago original; la tienda te enviará una confirmación.",
    },
    failed: {
      title: "No pudimos cancelar el artículo",
      retry: "No se pudo contactar con la tienda ahora mismo. No se ha cobrado nada dos veces: vuelve a pulsar el botón en un momento.",
      refused: "El sistema de la tienda rechazó el reembolso, así que no se ha cambiado nada. Contacta con la tienda.",
      tryAgain: "Intentar de nuevo",
    },
  },
};
