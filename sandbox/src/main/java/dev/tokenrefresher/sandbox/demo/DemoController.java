package dev.tokenrefresher.sandbox.demo;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DemoController {

    private final DemoSeeder seeder;

    DemoController(DemoSeeder seeder) {
        this.seeder = seeder;
    }

    @GetMapping("/sandbox/demo")
    DemoStatus status() {
        return seeder.status();
    }
}
